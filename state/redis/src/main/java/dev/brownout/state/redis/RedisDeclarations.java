package dev.brownout.state.redis;

import dev.brownout.core.ModuleDeclarations;
import dev.brownout.core.config.ConfigKey;
import java.util.List;

/** The Redis store's configuration keys, found by {@link java.util.ServiceLoader}. */
public final class RedisDeclarations implements ModuleDeclarations {
  /** Used by {@link java.util.ServiceLoader}. */
  public RedisDeclarations() {}

  @Override
  public String module() {
    return "state-redis";
  }

  @Override
  public List<ConfigKey<?>> configKeys() {
    return RedisConfig.keys();
  }
}
