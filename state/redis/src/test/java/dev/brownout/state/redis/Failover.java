package dev.brownout.state.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.state.Namespace;
import dev.brownout.state.StateStore;
import dev.brownout.state.StateUnavailableException;
import dev.brownout.state.Update;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** What the failover tests measure: how long writes fail, and how, once the primary is killed. */
final class Failover {
  private Failover() {}

  /** The time from the kill to the first write that succeeded, and the failures meanwhile. */
  record Window(Duration unavailable, Map<String, Integer> errors) {
    @Override
    public String toString() {
      return "writes unavailable for " + unavailable.toMillis() + " ms, errors " + errors;
    }
  }

  /**
   * Writes {@code key} every 20 ms from {@code killedAt} until one succeeds (at most {@code
   * limit}); each failure must be a typed {@link StateUnavailableException} within {@code bound}.
   */
  static Window writesResume(
      StateStore store, Namespace ns, String key, long killedAt, Duration limit, Duration bound)
      throws InterruptedException {
    Map<String, Integer> errors = new TreeMap<>();
    Map<String, String> last = new TreeMap<>();
    long deadline = killedAt + limit.toNanos();
    while (System.nanoTime() < deadline) {
      long start = System.nanoTime();
      try {
        store.update(ns, key, Update.builder().set("a", Long.toString(start)).build());
        return new Window(Duration.ofNanos(System.nanoTime() - killedAt), errors);
      } catch (StateUnavailableException e) {
        long took = System.nanoTime() - start;
        assertThat(Duration.ofNanos(took))
            .as("a write failing during the failover must not hang: " + e.getMessage())
            .isLessThan(bound);
        errors.merge(kind(e), 1, Integer::sum);
        last.put(kind(e), e.getMessage());
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
    throw new AssertionError(
        "writes did not resume within " + limit + "; errors " + errors + ", last of each " + last);
  }

  /** A failure's kind, for the report: the Lettuce exception behind it, or its first words. */
  static String kind(StateUnavailableException e) {
    Throwable cause = e.getCause();
    return cause == null ? "StateUnavailableException" : cause.getClass().getSimpleName();
  }

  /** Prints a measured figure and keeps it in {@code target/figures.txt} for the report. */
  static void figure(String text) {
    System.out.println("FIGURE " + text);
    try {
      java.nio.file.Files.writeString(
          java.nio.file.Path.of("target", "figures.txt"),
          text + System.lineSeparator(),
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Percentiles of {@code values}, in ms. */
  static String percentiles(List<Long> nanos) {
    List<Long> sorted = new ArrayList<>(nanos);
    sorted.sort(null);
    return String.format(
        "p50 %.1f ms, p99 %.1f ms, max %.1f ms over %d",
        sorted.get(sorted.size() / 2) / 1e6,
        sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.99) - 1)) / 1e6,
        sorted.get(sorted.size() - 1) / 1e6,
        sorted.size());
  }
}
