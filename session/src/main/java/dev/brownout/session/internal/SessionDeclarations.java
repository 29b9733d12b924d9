package dev.brownout.session.internal;

import dev.brownout.core.ModuleDeclarations;
import dev.brownout.core.config.ConfigKey;
import dev.brownout.core.metrics.MeterSpec;
import dev.brownout.session.SessionConfig;
import dev.brownout.session.SessionMetrics;
import java.util.List;

/** The session module's keys and meters, found by {@link java.util.ServiceLoader}. */
public final class SessionDeclarations implements ModuleDeclarations {
  /** Used by {@link java.util.ServiceLoader}. */
  public SessionDeclarations() {}

  @Override
  public String module() {
    return "session";
  }

  @Override
  public List<ConfigKey<?>> configKeys() {
    return SessionConfig.keys();
  }

  @Override
  public List<MeterSpec> meters() {
    return SessionMetrics.all();
  }
}
