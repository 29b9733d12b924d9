package dev.brownout.degrade.internal;

import dev.brownout.core.ModuleDeclarations;
import dev.brownout.core.config.ConfigKey;
import dev.brownout.core.metrics.MeterSpec;
import dev.brownout.degrade.DegradeConfig;
import dev.brownout.degrade.OverloadMeters;
import dev.brownout.degrade.ReadMode;
import dev.brownout.degrade.ResilienceMeters;
import dev.brownout.degrade.WritePath;
import java.util.ArrayList;
import java.util.List;

/** The degrade module's keys and meters, found by {@link java.util.ServiceLoader}. */
public final class DegradeDeclarations implements ModuleDeclarations {
  /** Used by {@link java.util.ServiceLoader}. */
  public DegradeDeclarations() {}

  @Override
  public String module() {
    return "degrade";
  }

  @Override
  public List<ConfigKey<?>> configKeys() {
    return DegradeConfig.keys();
  }

  @Override
  public List<MeterSpec> meters() {
    List<MeterSpec> meters =
        new ArrayList<>(
            List.of(ReadMode.MODE, ReadMode.REFUSED, WritePath.TRANSITIONS, WritePath.PROBES));
    meters.addAll(ResilienceMeters.all());
    meters.addAll(OverloadMeters.all());
    return meters;
  }
}
