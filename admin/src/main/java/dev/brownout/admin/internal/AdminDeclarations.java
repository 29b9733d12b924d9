package dev.brownout.admin.internal;

import dev.brownout.admin.AdminServer;
import dev.brownout.admin.AdminServerConfig;
import dev.brownout.core.ModuleDeclarations;
import dev.brownout.core.config.ConfigKey;
import dev.brownout.core.metrics.MeterSpec;
import java.util.List;

/** The admin module's keys and meters, found by {@link java.util.ServiceLoader}. */
public final class AdminDeclarations implements ModuleDeclarations {
  /** Used by {@link java.util.ServiceLoader}. */
  public AdminDeclarations() {}

  @Override
  public String module() {
    return "admin";
  }

  @Override
  public List<ConfigKey<?>> configKeys() {
    return AdminServerConfig.keys();
  }

  @Override
  public List<MeterSpec> meters() {
    return AdminServer.meters();
  }
}
