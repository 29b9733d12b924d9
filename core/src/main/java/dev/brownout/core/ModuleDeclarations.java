package dev.brownout.core;

import dev.brownout.core.config.ConfigKey;
import dev.brownout.core.metrics.MeterSpec;
import java.util.List;

/**
 * What a Brownout module declares once so that the rest can be derived from it: its configuration
 * keys (validated by {@link dev.brownout.core.config.BrownoutConfig}, listed in the generated
 * configuration reference) and its meters (listed in the generated metrics reference).
 *
 * <p>Modules register an implementation with {@link java.util.ServiceLoader} ({@code provides} in
 * {@code module-info.java} and {@code META-INF/services} for the class path).
 */
public interface ModuleDeclarations {

  /** A short name for the module, such as {@code core} or {@code flags}, used in references. */
  String module();

  /** The configuration keys this module reads. */
  default List<ConfigKey<?>> configKeys() {
    return List.of();
  }

  /** The meters this module registers. */
  default List<MeterSpec> meters() {
    return List.of();
  }
}
