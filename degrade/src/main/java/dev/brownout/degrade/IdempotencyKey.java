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
  /** This thread's key: how many guarded calls are open on it, and their key once made. */
  private static final class Slot {
    int depth;
    @Nullable String key;
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
      slot.key = UUID.randomUUID().toString();
    }
    return Optional.of(slot.key);
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
    String before = slot.key;
    slot.depth++;
    slot.key = key;
    try {
      return call.call();
    } finally {
      slot.depth--;
      slot.key = slot.depth == 0 ? null : before;
    }
  }

  /** Opens a guarded call: it shares the key of a call already open on this thread, if any. */
  static void enter() {
    SLOT.get().depth++;
  }

  /** Closes what {@link #enter} opened. */
  static void exit() {
    Slot slot = SLOT.get();
    if (--slot.depth == 0) {
      slot.key = null;
    }
  }

  /** The key to carry to another thread: made now if a call is open, else null. */
  static @Nullable String capture() {
    return SLOT.get().depth == 0 ? null : current().orElse(null);
  }

  /** Installs a captured key on this thread; returns what {@link #restore} puts back. */
  static @Nullable String adopt(@Nullable String key) {
    Slot slot = SLOT.get();
    String before = slot.depth == 0 ? null : slot.key;
    if (key != null) {
      slot.depth++;
      slot.key = key;
    }
    return before;
  }

  /** Undoes {@link #adopt} of {@code key}. */
  static void restore(@Nullable String adopted, @Nullable String before) {
    if (adopted != null) {
      Slot slot = SLOT.get();
      slot.depth--;
      slot.key = slot.depth == 0 ? null : before;
    }
  }
}
