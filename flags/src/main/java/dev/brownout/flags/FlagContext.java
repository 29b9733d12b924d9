package dev.brownout.flags;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
  private final int keyHash;
  private final Map<String, String> attributes;
  // The same attributes, flat, with room for their parsed forms: a rule finds its attribute by
  // scanning a few names (by identity first: names in code are literals, as are the compiled
  // rules' interned names) instead of probing a hash table.
  // Name, attribute, name, attribute...: one array to read, not two.
  private final Object[] entries;
  // Past a few attributes a scan costs more than a probe: then they are found by name here.
  private final @Nullable Map<String, Attribute> many;
  private final @Nullable Attribute keyAttribute;
  private static final int SCANNED = 12;

  private FlagContext(String key, Map<String, String> attributes) {
    this.key = key;
    this.keyUtf8 = key.getBytes(StandardCharsets.UTF_8);
    this.keyHash = key.hashCode();
    this.attributes = attributes;
    this.entries = new Object[2 * attributes.size()];
    int i = 0;
    for (Map.Entry<String, String> attribute : attributes.entrySet()) {
      Attribute slot = new Attribute(attribute.getValue());
      entries[i++] = attribute.getKey();
      entries[i++] = slot;
    }
    this.many = attributes.size() > SCANNED ? byName(entries) : null;
    this.keyAttribute = key.isEmpty() ? null : new Attribute(key);
  }

  /**
   * One attribute's text and, once asked for, its parsed forms. The parsed forms are immutable
   * objects published through plain fields: a thread that races another's first parse at worst
   * parses again, and never sees a half-built value.
   */
  static final class Attribute {
    private static final Object NONE = new Object();
    // The number's bits before the first parse: a NaN no parse produces (a parse that fails
    // stores the canonical NaN).
    private static final long UNPARSED = 0x7ff0_dead_0000_0001L;
    private static final VarHandle NUMBER;

    static {
      try {
        NUMBER = MethodHandles.lookup().findVarHandle(Attribute.class, "numberBits", long.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    final String text;
    // The text's hash, kept here so that a rule listing values can pass over one that is not
    // listed without reading the text at all.
    final int hash;
    // Read and written opaquely: one untorn 64-bit value, no fence, no box to follow.
    private long numberBits = UNPARSED;
    private @Nullable Object instant;
    private @Nullable Object version;

    Attribute(String text) {
      this.text = text;
      this.hash = text.hashCode();
    }

    /** The attribute as a number, or NaN if it is not one. */
    double number() {
      long bits = (long) NUMBER.getOpaque(this);
      if (bits == UNPARSED) {
        Double parsed = Operator.number(text);
        bits = Double.doubleToRawLongBits(parsed == null ? Double.NaN : parsed);
        NUMBER.setOpaque(this, bits);
      }
      return Double.longBitsToDouble(bits);
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

  // Only for contexts with many attributes: most contexts build no map at all.
  private static Map<String, Attribute> byName(Object[] entries) {
    Map<String, Attribute> byName = new HashMap<>();
    for (int i = 0; i < entries.length; i += 2) {
      byName.put((String) entries[i], (Attribute) entries[i + 1]);
    }
    return Map.copyOf(byName);
  }

  /** The key's {@link String#hashCode}, for looking it up in the lists of units. */
  int keyHash() {
    return keyHash;
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
    if (byKey) {
      return keyAttribute;
    }
    if (many != null) {
      return many.get(name);
    }
    Object[] all = entries;
    for (int i = 0; i < all.length; i += 2) {
      if (all[i] == name) {
        return (Attribute) all[i + 1];
      }
    }
    return slotByEquals(name);
  }

  private @Nullable Attribute slotByEquals(String name) {
    Object[] all = entries;
    for (int i = 0; i < all.length; i += 2) {
      if (name.equals(all[i])) {
        return (Attribute) all[i + 1];
      }
    }
    return null;
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
