package dev.brownout.examples.drill;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicLong;

/** What one step's requests came back with, when it degraded and recovered, and its checks. */
final class StepTally {
  /** One booking request and its answer. */
  record Booked(String user, long booking, Answer answer, long startedAt) {}

  /** One check's outcome. */
  record Check(String what, boolean passed) {}

  final Step step;
  private final Map<Answer, AtomicLong> answers = new EnumMap<>(Answer.class);
  private final AtomicLong ok = new AtomicLong();
  private final AtomicLong degraded = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong slowestNanos = new AtomicLong();
  private final AtomicLong degradedAt = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong recoveredAt = new AtomicLong(Long.MAX_VALUE);
  final List<String> failures = Collections.synchronizedList(new ArrayList<>());
  final List<Booked> bookings = Collections.synchronizedList(new ArrayList<>());
  final List<Check> checks = new ArrayList<>();
  final List<String> notes = new ArrayList<>();
  volatile long injectedAt;
  volatile long healedAt = Long.MAX_VALUE;

  StepTally(Step step) {
    this.step = step;
    for (Answer answer : Answer.values()) {
      answers.put(answer, new AtomicLong());
    }
  }

  /** Counts an answer that came {@code nanos} after it was asked. */
  void answered(Answer answer, long nanos, boolean designed, String what) {
    slowestNanos.accumulateAndGet(nanos, Math::max);
    answers.get(answer).incrementAndGet();
    boolean inTime = nanos <= step.bound.toNanos();
    if (designed && inTime) {
      (answer == Answer.OK ? ok : degraded).incrementAndGet();
    } else {
      failed.incrementAndGet();
      if (failures.size() < 20) {
        failures.add(
            (inTime
                    ? ""
                    : "took "
                        + seconds(nanos)
                        + " s (bound "
                        + step.bound.toMillis() / 1000.0
                        + " s): ")
                + what);
      }
    }
  }

  /** Counts a request that got no answer at all. */
  void unanswered(String what) {
    answers.get(Answer.UNEXPECTED).incrementAndGet();
    failed.incrementAndGet();
    if (failures.size() < 20) {
      failures.add(what);
    }
  }

  /** A designed degradation was seen at {@code nanoTime}. */
  void degraded(long nanoTime) {
    degradedAt.accumulateAndGet(nanoTime, Math::min);
  }

  /** A normal answer was seen at {@code nanoTime}, to a request made at {@code askedAt}. */
  void normal(long askedAt, long nanoTime) {
    if (askedAt >= healedAt) {
      recoveredAt.accumulateAndGet(nanoTime, Math::min);
    }
  }

  void check(String what, boolean passed) {
    synchronized (checks) {
      checks.add(new Check(what, passed));
    }
  }

  long count(Answer answer) {
    return answers.get(answer).get();
  }

  long requests() {
    return ok.get() + degraded.get() + failed.get();
  }

  long failed() {
    return failed.get();
  }

  /** Normal answers in time. */
  long ok() {
    return ok.get();
  }

  /** Designed degradations in time. */
  long degraded() {
    return degraded.get();
  }

  double slowestSeconds() {
    return slowestNanos.get() / 1e9;
  }

  /** Seconds from the fault to the first designed degradation seen, if one was. */
  OptionalDouble timeToDegrade() {
    long at = degradedAt.get();
    return at == Long.MAX_VALUE
        ? OptionalDouble.empty()
        : OptionalDouble.of((at - injectedAt) / 1e9);
  }

  /** Seconds from the heal to the first normal answer, if one came. */
  OptionalDouble timeToRecover() {
    long at = recoveredAt.get();
    return at == Long.MAX_VALUE || healedAt == Long.MAX_VALUE
        ? OptionalDouble.empty()
        : OptionalDouble.of((at - healedAt) / 1e9);
  }

  boolean passed() {
    return failed() == 0 && checks.stream().allMatch(Check::passed);
  }

  private static String seconds(long nanos) {
    return String.format("%.2f", nanos / 1e9);
  }
}
