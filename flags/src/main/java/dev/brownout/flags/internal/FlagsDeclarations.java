package dev.brownout.flags.internal;

import dev.brownout.core.ModuleDeclarations;
import dev.brownout.core.config.ConfigKey;
import dev.brownout.core.metrics.MeterSpec;
import dev.brownout.flags.Flags;
import dev.brownout.flags.FlagsConfig;
import dev.brownout.flags.Rollouts;
import java.util.List;

/** The flags module's keys and meters, found by {@link java.util.ServiceLoader}. */
public final class FlagsDeclarations implements ModuleDeclarations {
  /** Used by {@link java.util.ServiceLoader}. */
  public FlagsDeclarations() {}

  @Override
  public String module() {
    return "flags";
  }

  @Override
  public List<ConfigKey<?>> configKeys() {
    return FlagsConfig.keys();
  }

  @Override
  public List<MeterSpec> meters() {
    return List.of(
        Flags.EVALUATIONS, Flags.UNKNOWN, Flags.STALENESS, Flags.INVALID, Rollouts.TRANSITIONS);
  }
}
