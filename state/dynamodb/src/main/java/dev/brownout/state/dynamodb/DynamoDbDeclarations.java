package dev.brownout.state.dynamodb;

import dev.brownout.core.ModuleDeclarations;
import dev.brownout.core.config.ConfigKey;
import java.util.List;

/** The DynamoDB store's configuration keys, found by {@link java.util.ServiceLoader}. */
public final class DynamoDbDeclarations implements ModuleDeclarations {
  /** Used by {@link java.util.ServiceLoader}. */
  public DynamoDbDeclarations() {}

  @Override
  public String module() {
    return "state-dynamodb";
  }

  @Override
  public List<ConfigKey<?>> configKeys() {
    return DynamoDbConfig.keys();
  }
}
