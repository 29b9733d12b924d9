package dev.brownout.degrade;

import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;

/**
 * The idempotency key of the guarded call in progress, the same for every attempt and every
 * provider: a retry after a timeout, or a failover to a second payment provider, sends the key of
 * the first attempt, so the provider can answer "already done" instead of charging twice. A guarded
 * call that carries {@link Retry} or {@link Fallback}, or goes through a {@link Failover} chain,
 * has a key; the client code reads it with {@link #current()} and sends it ({@code Idempotency-Key}
 * header, say). The key follows the call onto timeout threads and into asynchronous continuations.
 * A caller that already has a key (a booking id, a client's header) sets it with {@link #with}.
 *
 * <pre>{@code
 * HttpRequest.newBuilder(uri)
 *     .header("Idempotency-Key", IdempotencyKey.current().orElseThrow())
 * }</pre>
 *
 * <p>The key is made (a random UUID) the first time something asks for it, so a call whose client
 * never reads it costs nothing.
 */
public final class IdempotencyKey {
  /**
   * One guarded call's key, shared by its attempts on whatever thread they run: made the first time
   * anything asks for it, so carrying it into an asynchronous attempt costs no random bytes.
   */
  static final class Key {
    private @Nullable String value;

    Key() {}

    Key(String value) {
      this.value = value;
    }

    synchronized String value() {
      if (value == null) {
        value = UUID.randomUUID().toString();
      }
      return value;
    }
  }

  /** This thread's key: how many guarded calls are open on it, and their key. */
  static final class Slot {
    int depth;
    @Nullable Key key;
  }

  private static final ThreadLocal<Slot> SLOT = ThreadLocal.withInitial(Slot::new);

  private IdempotencyKey() {}

  /** The key of the guarded call in progress on this thread, made now if it has none yet. */
  public static Optional<String> current() {
    Slot slot = SLOT.get();
    if (slot.depth == 0) {
      return Optional.empty();
    }
    if (slot.key == null) {
      slot.key = new Key();
    }
    return Optional.of(slot.key.value());
  }

  /**
   * Runs {@code call} with {@code key} as the current key.
   *
   * @throws IllegalArgumentException if the key is blank or longer than 255 characters
   */
  public static <T> T with(String key, Callable<T> call) throws Exception {
    Objects.requireNonNull(key, "key");
    if (key.isBlank() || key.length() > 255) {
      throw new IllegalArgumentException(
          "an idempotency key is 1 to 255 characters, not blank, but had " + key.length());
    }
    Slot slot = SLOT.get();
    Key before = slot.key;
    slot.depth++;
    slot.key = new Key(key);
    try {
      return call.call();
    } finally {
      slot.depth--;
      slot.key = slot.depth == 0 ? null : before;
    }
  }

  /**
   * A guarded call starts on this thread: it shares the key of any call it is inside. Returns this
   * thread's slot, for {@link #exit} on the same thread (one thread-local lookup a call, not two).
   */
  static Slot enter() {
    Slot slot = SLOT.get();
    slot.depth++;
    return slot;
  }

  /** The guarded call that {@link #enter}ed {@code slot} last ends, on the thread it entered on. */
  static void exit(Slot slot) {
    if (--slot.depth == 0) {
      slot.key = null;
    }
  }

  /** The key of the call in progress, not yet made, for its attempts elsewhere; null if none. */
  static @Nullable Key capture() {
    Slot slot = SLOT.get();
    if (slot.depth == 0) {
      return null;
    }
    if (slot.key == null) {
      slot.key = new Key();
    }
    return slot.key;
  }

  /**
   * Makes a captured key current on this thread; returns what was current, for {@link #restore}.
   */
  static @Nullable Key adopt(@Nullable Key key) {
    Slot slot = SLOT.get();
    Key before = slot.depth == 0 ? null : slot.key;
    if (key != null) {
      slot.depth++;
      slot.key = key;
    }
    return before;
  }

  /** Undoes {@link #adopt}. */
  static void restore(@Nullable Key adopted, @Nullable Key before) {
    if (adopted != null) {
      Slot slot = SLOT.get();
      slot.depth--;
      slot.key = slot.depth == 0 ? null : before;
    }
  }
}
