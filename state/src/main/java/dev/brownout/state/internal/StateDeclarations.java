package dev.brownout.state.internal;

import dev.brownout.core.ModuleDeclarations;
import dev.brownout.core.config.ConfigKey;
import dev.brownout.core.metrics.MeterSpec;
import dev.brownout.state.MeteredStateStore;
import dev.brownout.state.NearCache;
import dev.brownout.state.StateConfig;
import java.util.List;

/** The state module's keys and meters, found by {@link java.util.ServiceLoader}. */
public final class StateDeclarations implements ModuleDeclarations {
  /** Used by {@link java.util.ServiceLoader}. */
  public StateDeclarations() {}

  @Override
  public String module() {
    return "state";
  }

  @Override
  public List<ConfigKey<?>> configKeys() {
    return StateConfig.keys();
  }

  @Override
  public List<MeterSpec> meters() {
    return List.of(MeteredStateStore.OPERATIONS, NearCache.REQUESTS, NearCache.STALE);
  }
}
