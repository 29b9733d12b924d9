package dev.brownout.flags;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Who a flag is evaluated for: a key (the unit: a user, an account, a device) and attributes that
 * rules test. Always explicit: there is no hidden "current user". Immutable.
 *
 * <p>An attribute is parsed as a number, an instant or a version the first time a rule compares it
 * as one, and the parsed form is kept with the context: build a context once per request and every
 * evaluation against it reads, and allocates, nothing more.
 */
public final class FlagContext {
  private static final FlagContext ANONYMOUS = new FlagContext("", Map.of());

  private final String key;
  // Encoded once here: every flag that buckets by key hashes these bytes.
  private final byte[] keyUtf8;
  private final Map<String, String> attributes;
  // The same attributes with room for their parsed forms.
  private final Map<String, Attribute> parsed;
  private final @Nullable Attribute keyAttribute;

  private FlagContext(String key, Map<String, String> attributes) {
    this.key = key;
    this.keyUtf8 = key.getBytes(StandardCharsets.UTF_8);
    this.attributes = attributes;
    if (attributes.isEmpty()) {
      this.parsed = Map.of();
    } else {
      Map<String, Attribute> slots = new HashMap<>();
      attributes.forEach((name, value) -> slots.put(name, new Attribute(value)));
      this.parsed = Map.copyOf(slots);
    }
    this.keyAttribute = key.isEmpty() ? null : new Attribute(key);
  }

  /**
   * One attribute's text and, once asked for, its parsed forms. The parsed forms are immutable
   * objects published through plain fields: a thread that races another's first parse at worst
   * parses again, and never sees a half-built value.
   */
  static final class Attribute {
    private static final Object NONE = new Object();

    final String text;
    private @Nullable Object number;
    private @Nullable Object instant;
    private @Nullable Object version;

    Attribute(String text) {
      this.text = text;
    }

    /** The attribute as a number, or NaN if it is not one. */
    double number() {
      Object value = number;
      if (value == null) {
        Double parsed = Operator.number(text);
        value = parsed == null ? NONE : parsed;
        number = value;
      }
      return value == NONE ? Double.NaN : (Double) value;
    }

    /** The attribute as an ISO-8601 instant, or null. */
    @Nullable Instant instant() {
      Object value = instant;
      if (value == null) {
        Instant parsed = Operator.instant(text);
        value = parsed == null ? NONE : parsed;
        instant = value;
      }
      return value == NONE ? null : (Instant) value;
    }

    /** The attribute as a semantic version, or null. */
    @Nullable Semver version() {
      Object value = version;
      if (value == null) {
        Semver parsed = Semver.parse(text);
        value = parsed == null ? NONE : parsed;
        version = value;
      }
      return value == NONE ? null : (Semver) value;
    }
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

  /** An attribute with its parsed forms; {@code key} is the key. Null if absent. */
  @Nullable Attribute slot(String name, boolean byKey) {
    return byKey ? keyAttribute : parsed.get(name);
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
