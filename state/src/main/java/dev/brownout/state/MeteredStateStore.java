package dev.brownout.state;

import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.core.metrics.MeterSpec;
import dev.brownout.core.time.BrownoutClock;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Times every operation of a store: {@code brownout.state.operations}, tagged with the store kind,
 * the operation, and the outcome ({@code ok}, {@code absent}, {@code precondition_failed}, {@code
 * too_large}, {@code unavailable}, {@code error}).
 */
public final class MeteredStateStore extends ForwardingStateStore {
  /** Store operations by store, operation and outcome. */
  public static final MeterSpec OPERATIONS =
      MeterSpec.timer(
          "brownout.state.operations",
          "State store operations, by store kind, operation (read, update, delete, list, watch) and outcome.",
          "store",
          "operation",
          "outcome");

  private final BrownoutMetrics metrics;
  private final BrownoutClock clock;
  private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();

  private MeteredStateStore(StateStore store, BrownoutMetrics metrics, BrownoutClock clock) {
    super(store);
    this.metrics = metrics;
    this.clock = clock;
  }

  /** Times {@code store}'s operations on {@code metrics}. */
  public static MeteredStateStore wrap(StateStore store, BrownoutMetrics metrics) {
    return new MeteredStateStore(store, metrics, BrownoutClock.system());
  }

  private <T> T timed(String operation, Supplier<T> call, Function<T, String> outcome) {
    long start = clock.nanoTime();
    String result = "error";
    try {
      T value = call.get();
      result = outcome.apply(value);
      return value;
    } catch (PreconditionFailedException e) {
      result = "precondition_failed";
      throw e;
    } catch (RecordTooLargeException e) {
      result = "too_large";
      throw e;
    } catch (StateUnavailableException e) {
      result = "unavailable";
      throw e;
    } finally {
      String outcomeName = result;
      timers
          .computeIfAbsent(
              operation + ':' + outcomeName,
              k -> metrics.timer(OPERATIONS, kind(), operation, outcomeName))
          .record(clock.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  private static <T> String ok(T value) {
    return "ok";
  }

  private static String found(Optional<StateRecord> record) {
    return record.isPresent() ? "ok" : "absent";
  }

  @Override
  public Optional<StateRecord> read(Namespace namespace, String key) {
    return timed("read", () -> super.read(namespace, key), MeteredStateStore::found);
  }

  @Override
  public Optional<StateRecord> read(Namespace namespace, String key, Set<String> fields) {
    return timed("read", () -> super.read(namespace, key, fields), MeteredStateStore::found);
  }

  @Override
  public WriteResult update(Namespace namespace, String key, Update update) {
    return timed("update", () -> super.update(namespace, key, update), MeteredStateStore::ok);
  }

  @Override
  public boolean delete(Namespace namespace, String key, Precondition precondition) {
    return timed(
        "delete",
        () -> super.delete(namespace, key, precondition),
        deleted -> deleted ? "ok" : "absent");
  }

  @Override
  public List<StateRecord> list(Namespace namespace) {
    return timed("list", () -> super.list(namespace), MeteredStateStore::ok);
  }

  @Override
  public Watch watch(Namespace namespace, WatchListener listener) {
    return timed("watch", () -> super.watch(namespace, listener), MeteredStateStore::ok);
  }
}
