package dev.brownout.state.internal;

import dev.brownout.core.ModuleDeclarations;
import dev.brownout.core.metrics.MeterSpec;
import dev.brownout.state.MeteredStateStore;
import dev.brownout.state.NearCache;
import java.util.List;

/** The state module's meters, found by {@link java.util.ServiceLoader}. */
public final class StateDeclarations implements ModuleDeclarations {
  /** Used by {@link java.util.ServiceLoader}. */
  public StateDeclarations() {}

  @Override
  public String module() {
    return "state";
  }

  @Override
  public List<MeterSpec> meters() {
    return List.of(MeteredStateStore.OPERATIONS, NearCache.REQUESTS, NearCache.STALE);
  }
}
