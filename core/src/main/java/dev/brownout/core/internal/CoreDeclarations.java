package dev.brownout.core.internal;

import dev.brownout.core.ModuleDeclarations;
import dev.brownout.core.admin.AdminApi;
import dev.brownout.core.buffer.BoundedBuffer;
import dev.brownout.core.config.ConfigKey;
import dev.brownout.core.config.CoreConfig;
import dev.brownout.core.metrics.MeterSpec;
import java.util.List;

/** Core's configuration keys and meters, found by {@link java.util.ServiceLoader}. */
public final class CoreDeclarations implements ModuleDeclarations {
  @Override
  public String module() {
    return "core";
  }

  @Override
  public List<ConfigKey<?>> configKeys() {
    return CoreConfig.keys();
  }

  @Override
  public List<MeterSpec> meters() {
    return List.of(
        AdminApi.REQUESTS,
        AdminApi.AUDIT_FAILURES,
        AdminApi.AUDIT_PENDING,
        BoundedBuffer.FILL,
        BoundedBuffer.DROPPED);
  }
}
