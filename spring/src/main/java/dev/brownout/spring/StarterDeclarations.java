package dev.brownout.spring;

import dev.brownout.core.ModuleDeclarations;
import dev.brownout.core.config.ConfigKey;
import java.util.List;

/** The starter's configuration keys, found by {@link java.util.ServiceLoader}. */
public final class StarterDeclarations implements ModuleDeclarations {
  /** Used by {@link java.util.ServiceLoader}. */
  public StarterDeclarations() {}

  @Override
  public String module() {
    return "spring-boot-starter";
  }

  @Override
  public List<ConfigKey<?>> configKeys() {
    return StarterConfig.keys();
  }
}
