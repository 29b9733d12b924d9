package dev.brownout.state.testservers;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits in tests for what happens in the background (a change reaching another server, a server
 * coming back), polling instead of sleeping a guessed time.
 */
public final class Await {
  private Await() {}

  /** Waits up to 10 seconds, polling every 50 ms. */
  public static void until(String what, BooleanSupplier condition) {
    until(what, Duration.ofSeconds(10), Duration.ofMillis(50), condition);
  }

  /**
   * Waits until {@code condition} holds, checking every {@code pause}.
   *
   * @throws AssertionError naming {@code what} if it does not hold within {@code limit}
   */
  public static void until(String what, Duration limit, Duration pause, BooleanSupplier condition) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within " + limit);
      }
      try {
        Thread.sleep(Math.max(1, pause.toMillis()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(what + ": interrupted", e);
      }
    }
  }
}
