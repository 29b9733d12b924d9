package dev.brownout.core.config;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One configuration key, declared once: its name, type, default and documentation. The same
 * declaration validates values, maps the key to an environment variable and produces the
 * configuration reference, so the three cannot drift apart.
 *
 * <pre>{@code
 * static final ConfigKey<Integer> PORT =
 *     ConfigKey.of("brownout.admin.port", ValueType.integer(0, 65535))
 *         .defaultValue(9099)
 *         .doc("Port of the admin HTTP server; 0 picks a free port.")
 *         .build();
 * }</pre>
 *
 * @param <T> the type of the value
 */
public final class ConfigKey<T> {
  private static final Pattern NAME = Pattern.compile("brownout(\\.[a-z][a-z0-9]*(-[a-z0-9]+)*)+");

  private final String name;
  private final ValueType<T> type;
  private final @Nullable T defaultValue;
  private final String doc;
  private final boolean secret;

  private ConfigKey(Builder<T> builder) {
    this.name = builder.name;
    this.type = builder.type;
    this.defaultValue = builder.defaultValue;
    this.doc = builder.doc;
    this.secret = builder.secret;
  }

  /**
   * Starts declaring a key.
   *
   * @param name lower-case words separated by dots and hyphens, starting with {@code brownout.}
   * @throws IllegalArgumentException if the name does not have that form
   */
  public static <T> Builder<T> of(String name, ValueType<T> type) {
    return new Builder<>(name, type);
  }

  /** The key's name, such as {@code brownout.admin.port}. */
  public String name() {
    return name;
  }

  /**
   * The environment variable that sets this key: {@code brownout.admin.port} is {@code
   * BROWNOUT_ADMIN_PORT}.
   */
  public String environmentVariable() {
    return environmentVariable(name);
  }

  static String environmentVariable(String name) {
    return name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** The value type. */
  public ValueType<T> type() {
    return type;
  }

  /** The default, if the key has one; a key without one is optional. */
  public Optional<T> defaultValue() {
    return Optional.ofNullable(defaultValue);
  }

  /** What the key does, in a sentence or two, for the reference. */
  public String doc() {
    return doc;
  }

  /** Whether values are secret: they are never printed, in errors or anywhere else. */
  public boolean secret() {
    return secret;
  }

  /** Formats a value for humans, masking it if the key is secret. */
  String display(@Nullable Object value) {
    if (value == null) {
      return "(none)";
    }
    return secret ? "****" : String.valueOf(value);
  }

  @Override
  public String toString() {
    return name;
  }

  /**
   * Builds a {@link ConfigKey}.
   *
   * @param <T> the type of the value
   */
  public static final class Builder<T> {
    private final String name;
    private final ValueType<T> type;
    private @Nullable T defaultValue;
    private String doc = "";
    private boolean secret;

    private Builder(String name, ValueType<T> type) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(type, "type");
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "config key name must be lower-case words separated by '.' or '-' and start with"
                + " 'brownout.' but was '"
                + name
                + "'");
      }
      this.name = name;
      this.type = type;
    }

    /**
     * The value used when no layer sets the key. Without a default the key is optional.
     *
     * @throws IllegalArgumentException if the default itself is not a valid value
     */
    public Builder<T> defaultValue(T value) {
      try {
        this.defaultValue = type.check(value);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "default of " + name + " is invalid: " + e.getMessage(), e);
      }
      return this;
    }

    /** Documentation for the reference: what the key does, in a sentence or two. */
    public Builder<T> doc(String doc) {
      this.doc = Objects.requireNonNull(doc, "doc");
      return this;
    }

    /** Marks values as secret (tokens, passwords): they are never printed. */
    public Builder<T> secret() {
      this.secret = true;
      return this;
    }

    /** Builds the key. */
    public ConfigKey<T> build() {
      if (doc.isBlank()) {
        throw new IllegalStateException(
            "config key " + name + " needs a doc(...) for the reference");
      }
      return new ConfigKey<>(this);
    }
  }
}
