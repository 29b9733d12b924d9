package dev.brownout.examples.drill;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One step of the drill: what breaks, what it is designed to do to requests, what must be seen
 * while it is broken and hold once it is healed. Built by {@link Drill}, run by {@link StepRunner}.
 */
final class Step {
  /** Which normal answer, after the heal, ends the time to recover. */
  enum Recovery {
    /** A booking charged by the primary (by {@link #onlyUser} if set). */
    BOOKING,
    /** A session signed in on one server and read on the other. */
    SHARED_SESSION,
    /** {@link #normalSignal}, polled. */
    SIGNAL
  }

  /** A condition, named for the check it becomes. */
  record Watch(String what, BooleanSupplier holds) {}

  final String name;
  final String breaks;
  Runnable before = () -> {};
  Runnable inject = () -> {};
  @Nullable Runnable heal;
  @Nullable Watch endsByItself;
  Set<Answer> designed = EnumSet.noneOf(Answer.class);
  Set<Answer> designedWhileHealing = EnumSet.noneOf(Answer.class);
  @Nullable String onlyUser;
  boolean sticky;
  // Designed answers take a timeout or two (800 ms a payment attempt, 500 ms a store call);
  // what this bound catches is a hang: a 5 s stall waited out, a 10 s request timeout.
  Duration bound = Duration.ofSeconds(4);
  Recovery recovery = Recovery.BOOKING;
  @Nullable BooleanSupplier degradedSignal;
  @Nullable BooleanSupplier normalSignal;
  final List<Watch> mustSee = new ArrayList<>();
  final List<Watch> mustNotSee = new ArrayList<>();
  final List<Watch> mustHoldWhileBroken = new ArrayList<>();
  final List<Watch> mustHoldAfter = new ArrayList<>();
  final List<Consumer<StepTally>> checks = new ArrayList<>();
  final List<Settled> settled = new ArrayList<>();
  final List<Supplier<String>> notes = new ArrayList<>();

  /** A check of the step's bookings once every pending charge has been taken. */
  interface Settled {
    void check(StepTally tally, Checks checks) throws SQLException;
  }

  Step(String name, String breaks) {
    this.name = name;
    this.breaks = breaks;
  }

  Step before(Runnable action) {
    this.before = action;
    return this;
  }

  Step inject(Runnable action) {
    this.inject = action;
    return this;
  }

  Step heal(Runnable action) {
    this.heal = action;
    return this;
  }

  /**
   * The fault ends by itself (an experiment that runs out): it is kept running, traffic and all,
   * until {@code ended} holds (within the fault's limit), which becomes a check; the heal, which
   * comes after, is for a fault that did not end.
   */
  Step endsByItself(String what, BooleanSupplier ended) {
    this.endsByItself = new Watch(what, ended);
    return this;
  }

  Step designed(Answer first, Answer... more) {
    this.designed = EnumSet.of(first, more);
    return this;
  }

  /** Answers also designed for requests made after the heal, while the servers catch up. */
  Step designedWhileHealing(Answer first, Answer... more) {
    this.designedWhileHealing = EnumSet.of(first, more);
    return this;
  }

  /** Only this user's requests are affected (a declined card is one guest's). */
  Step onlyUser(String user) {
    this.onlyUser = user;
    return this;
  }

  /** Users stay on one server (while sessions cannot be shared through the store). */
  Step sticky() {
    this.sticky = true;
    return this;
  }

  /** The longest any request may take in this step, degraded or not. */
  Step bound(Duration limit) {
    this.bound = limit;
    return this;
  }

  Step recovery(Recovery how) {
    this.recovery = how;
    return this;
  }

  /** A designed degradation observed on the servers rather than in an answer. */
  Step degradedWhen(BooleanSupplier signal) {
    this.degradedSignal = signal;
    return this;
  }

  /** The normal state observed on the servers, for {@link Recovery#SIGNAL}. */
  Step normalWhen(BooleanSupplier signal) {
    this.recovery = Recovery.SIGNAL;
    this.normalSignal = signal;
    return this;
  }

  Step mustSee(String what, BooleanSupplier holds) {
    mustSee.add(new Watch(what, holds));
    return this;
  }

  Step mustNotSee(String what, BooleanSupplier holds) {
    mustNotSee.add(new Watch(what, holds));
    return this;
  }

  Step mustHoldWhileBroken(String what, BooleanSupplier holds) {
    mustHoldWhileBroken.add(new Watch(what, holds));
    return this;
  }

  Step mustHoldAfter(String what, BooleanSupplier holds) {
    mustHoldAfter.add(new Watch(what, holds));
    return this;
  }

  /** A measurement printed with the step's checks, taken when the step ends. */
  Step note(Supplier<String> note) {
    notes.add(note);
    return this;
  }

  /** A check made once every pending charge has been taken, at the end of the drill. */
  Step onceSettled(Settled check) {
    settled.add(check);
    return this;
  }

  /** A check of what the step's requests came back with. */
  Step check(Consumer<StepTally> check) {
    checks.add(check);
    return this;
  }
}
