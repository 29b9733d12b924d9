package dev.brownout.core.config;

import org.jspecify.annotations.Nullable;

/**
 * One thing wrong with the configuration.
 *
 * @param key the key (or, for an unknown environment variable, the variable's name)
 * @param origin where the value came from, such as {@code system property brownout.admin.port}
 * @param value the value as written, or {@code ****} for a secret, or {@code null} if there was
 *     none
 * @param message what was expected, or what to do
 */
public record ConfigProblem(String key, String origin, @Nullable String value, String message) {

  @Override
  public String toString() {
    return key + (value == null ? "" : " = '" + value + "'") + " (from " + origin + "): " + message;
  }
}
