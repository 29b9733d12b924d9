package dev.brownout.flags;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Who a flag is evaluated for: a key (the unit: a user, an account, a device) and attributes that
 * rules test. Always explicit: there is no hidden "current user". Immutable.
 */
public final class FlagContext {
  private static final FlagContext ANONYMOUS = new FlagContext("", Map.of());

  private final String key;
  // Encoded once here: every flag that buckets by key hashes these bytes.
  private final byte[] keyUtf8;
  private final Map<String, String> attributes;

  private FlagContext(String key, Map<String, String> attributes) {
    this.key = key;
    this.keyUtf8 = key.getBytes(StandardCharsets.UTF_8);
    this.attributes = attributes;
  }

  /** A context with only a key. */
  public static FlagContext of(String key) {
    return new FlagContext(Objects.requireNonNull(key, "key"), Map.of());
  }

  /** A context with no key: rules on attributes can match, rollouts by key cannot. */
  public static FlagContext anonymous() {
    return ANONYMOUS;
  }

  /** Starts a context with attributes. */
  public static Builder builder(String key) {
    return new Builder(key);
  }

  /** The key's UTF-8 bytes, for bucketing; the context's own array, which must not change. */
  byte[] keyUtf8() {
    return keyUtf8;
  }

  /** The key. */
  public String key() {
    return key;
  }

  /** An attribute; {@code key} is the key. */
  public @Nullable String attribute(String name) {
    return "key".equals(name) ? (key.isEmpty() ? null : key) : attributes.get(name);
  }

  /** Every attribute but the key. */
  public Map<String, String> attributes() {
    return attributes;
  }

  @Override
  public String toString() {
    return "FlagContext[" + (key.isEmpty() ? "anonymous" : key) + ", " + attributes.keySet() + "]";
  }

  /** Builds a {@link FlagContext}. */
  public static final class Builder {
    private final String key;
    private final Map<String, String> attributes = new HashMap<>();

    private Builder(String key) {
      this.key = Objects.requireNonNull(key, "key");
    }

    /** Sets an attribute. */
    public Builder attribute(String name, String value) {
      attributes.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Sets a numeric attribute. */
    public Builder attribute(String name, long value) {
      return attribute(name, Long.toString(value));
    }

    /** Sets a numeric attribute. */
    public Builder attribute(String name, double value) {
      return attribute(name, Double.toString(value));
    }

    /** Builds the context. */
    public FlagContext build() {
      return new FlagContext(key, Map.copyOf(attributes));
    }
  }
}
