package dev.brownout.state;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An atomic change to one record: fields to set and remove, the expiry, and a precondition. A store
 * applies all of it in one round trip, and bumps the version, or none of it.
 *
 * <pre>{@code
 * store.update(SESSIONS, id, Update.builder()
 *     .set("cart", bytes)
 *     .remove("coupon")
 *     .expireAt(clock.instant().plus(Duration.ofMinutes(30)))
 *     .precondition(Precondition.present())
 *     .build());
 * }</pre>
 */
public final class Update {
  /** The longest field name, in UTF-8 bytes. */
  public static final int MAX_FIELD_NAME_BYTES = 255;

  /** The longest {@link #origin() origin}, in characters. */
  public static final int MAX_ORIGIN_LENGTH = 64;

  /** What the update does to the expiry. */
  public enum ExpiryChange {
    /** Leave it as it is (a new record gets none). */
    KEEP,
    /** Set it to {@link #expiresAt()}. */
    SET,
    /** Remove it: the record no longer expires. */
    PERSIST
  }

  private final Map<String, byte[]> sets;
  private final Set<String> removes;
  private final ExpiryChange expiryChange;
  private final @Nullable Instant expiresAt;
  private final Precondition precondition;
  private final long size;
  private final @Nullable String origin;

  private Update(Builder builder) {
    this.sets = Collections.unmodifiableMap(new LinkedHashMap<>(builder.sets));
    this.removes = Collections.unmodifiableSet(new LinkedHashSet<>(builder.removes));
    this.expiryChange = builder.expiryChange;
    this.expiresAt = builder.expiresAt;
    this.precondition = builder.precondition;
    long total = 0;
    for (Map.Entry<String, byte[]> set : sets.entrySet()) {
      total += nameBytes(set.getKey()) + set.getValue().length;
    }
    this.size = total;
    this.origin = builder.origin;
  }

  private Update(Update update, String origin) {
    this.sets = update.sets;
    this.removes = update.removes;
    this.expiryChange = update.expiryChange;
    this.expiresAt = update.expiresAt;
    this.precondition = update.precondition;
    this.size = update.size;
    this.origin = origin;
  }

  /** Starts an update. */
  public static Builder builder() {
    return new Builder();
  }

  /** Fields to set, by name. Stores must not modify the arrays. */
  public Map<String, byte[]> sets() {
    return sets;
  }

  /** Fields to remove. */
  public Set<String> removes() {
    return removes;
  }

  /** What happens to the expiry. */
  public ExpiryChange expiryChange() {
    return expiryChange;
  }

  /** The new expiry, for {@link ExpiryChange#SET}. */
  public @Nullable Instant expiresAt() {
    return expiresAt;
  }

  /** The precondition. */
  public Precondition precondition() {
    return precondition;
  }

  /** The bytes this update writes: names plus values of the fields it sets. */
  public long size() {
    return size;
  }

  /**
   * Who made this update, as the {@link ChangeEvent#origin() change event} will say; {@code null}
   * for nobody in particular. A watcher uses it to know its own writes (see {@link
   * WatchListener#origin()}).
   */
  public @Nullable String origin() {
    return origin;
  }

  /**
   * This update made by {@code origin}; it shares this update's fields.
   *
   * @throws IllegalArgumentException if the origin is not 1 to {@value #MAX_ORIGIN_LENGTH} letters,
   *     digits, '.', '_' or '-', starting with a letter or digit
   */
  public Update withOrigin(String origin) {
    return new Update(this, checkOrigin(origin));
  }

  static String checkOrigin(String origin) {
    Objects.requireNonNull(origin, "origin");
    // Starting with a letter or digit, it cannot be "-", which stores use for "no origin".
    boolean valid = !origin.isEmpty() && origin.length() <= MAX_ORIGIN_LENGTH;
    for (int i = 0; valid && i < origin.length(); i++) {
      char c = origin.charAt(i);
      valid =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || (i > 0 && (c == '.' || c == '_' || c == '-'));
    }
    if (!valid) {
      throw new IllegalArgumentException(
          "an update's origin must be 1 to "
              + MAX_ORIGIN_LENGTH
              + " letters, digits, '.', '_' or '-', starting with a letter or digit, but was '"
              + origin
              + "'");
    }
    return origin;
  }

  static int nameBytes(String name) {
    return name.getBytes(StandardCharsets.UTF_8).length;
  }

  @Override
  public String toString() {
    return "Update[set "
        + sets.keySet()
        + ", remove "
        + removes
        + ", expiry "
        + expiryChange
        + (expiresAt == null ? "" : " " + expiresAt)
        + ", if "
        + precondition
        + (origin == null ? "" : ", by " + origin)
        + "]";
  }

  /** Builds an {@link Update}. Not thread-safe. */
  public static final class Builder {
    private final Map<String, byte[]> sets = new LinkedHashMap<>();
    private final Set<String> removes = new LinkedHashSet<>();
    private ExpiryChange expiryChange = ExpiryChange.KEEP;
    private @Nullable Instant expiresAt;
    private Precondition precondition = Precondition.none();
    private @Nullable String origin;

    private Builder() {}

    /**
     * Sets a field; the value is copied.
     *
     * @throws IllegalArgumentException if the name is empty, too long, or also removed
     */
    public Builder set(String name, byte[] value) {
      checkName(name);
      Objects.requireNonNull(value, () -> "value of field " + name);
      if (removes.contains(name)) {
        throw new IllegalArgumentException(
            "field '" + name + "' is both set and removed in one update");
      }
      sets.put(name, value.clone());
      return this;
    }

    /** Sets a field to UTF-8 text. */
    public Builder set(String name, String text) {
      return set(name, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Removes a field.
     *
     * @throws IllegalArgumentException if the name is invalid, or also set
     */
    public Builder remove(String name) {
      checkName(name);
      if (sets.containsKey(name)) {
        throw new IllegalArgumentException(
            "field '" + name + "' is both set and removed in one update");
      }
      removes.add(name);
      return this;
    }

    /** The record expires at {@code instant} (a time in the past deletes it). */
    public Builder expireAt(Instant instant) {
      this.expiresAt = Objects.requireNonNull(instant, "instant");
      this.expiryChange = ExpiryChange.SET;
      return this;
    }

    /** The record no longer expires. */
    public Builder persist() {
      this.expiresAt = null;
      this.expiryChange = ExpiryChange.PERSIST;
      return this;
    }

    /** The condition the record must meet. Default: none. */
    public Builder precondition(Precondition condition) {
      this.precondition = Objects.requireNonNull(condition, "condition");
      return this;
    }

    /**
     * Who makes this update (see {@link Update#origin()}).
     *
     * @throws IllegalArgumentException if the origin is not 1 to {@value Update#MAX_ORIGIN_LENGTH}
     *     letters, digits, '.', '_' or '-', starting with a letter or digit
     */
    public Builder origin(String origin) {
      this.origin = checkOrigin(origin);
      return this;
    }

    /**
     * Builds the update.
     *
     * @throws IllegalArgumentException if it changes nothing
     */
    public Update build() {
      if (sets.isEmpty() && removes.isEmpty() && expiryChange == ExpiryChange.KEEP) {
        throw new IllegalArgumentException(
            "an update must set or remove a field or change the expiry");
      }
      return new Update(this);
    }

    private static void checkName(String name) {
      Objects.requireNonNull(name, "field name");
      if (name.isEmpty()) {
        throw new IllegalArgumentException("field name must not be empty");
      }
      if (nameBytes(name) > MAX_FIELD_NAME_BYTES) {
        throw new IllegalArgumentException(
            "field name must be at most "
                + MAX_FIELD_NAME_BYTES
                + " UTF-8 bytes but '"
                + name.substring(0, 16)
                + "…' has "
                + nameBytes(name));
      }
    }
  }
}
