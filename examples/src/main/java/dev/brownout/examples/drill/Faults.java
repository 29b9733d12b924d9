package dev.brownout.examples.drill;

import dev.brownout.degrade.ReadOnlyReason;
import dev.brownout.examples.booking.BookingApp;
import dev.brownout.examples.booking.PaymentService;
import dev.brownout.flags.Rollouts;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * The drill's faults, each a {@link Step} on the {@link Site}: what breaks, how it heals, what the
 * requests may come back with meanwhile, and what must be seen and hold.
 */
final class Faults {
  static final String DECLINED_GUEST = "guest-0";

  /** The game day's experiment. */
  static final String GAME_DAY = "payments-flaky";

  /** The share of payment calls the game day fails. */
  static final int GAME_DAY_PERCENTAGE = 30;

  private final Site site;
  private final List<BookingApp> servers;
  private final List<PaymentService> payments;

  Faults(Site site) {
    this.site = site;
    this.servers = site.servers;
    this.payments = site.payments;
  }

  Step baseline(String name) {
    return new Step(name, "nothing; every answer must be normal");
  }

  Step flagKilled(String name) {
    AtomicInteger before = new AtomicInteger();
    AtomicInteger resumed = new AtomicInteger();
    return new Step(
            name,
            "instant-book killed through server-a's admin API, then revived and its plan resumed"
                + " on b's")
        .before(() -> before.set(site.featureOn(servers.get(0), Site.INSTANT_BOOK)))
        .inject(() -> site.patchInstantBook(servers.get(0), false))
        .heal(
            () -> {
              site.patchInstantBook(servers.get(1), true);
              // The kill paused the rollout plan (the operator outranks it); resuming is the
              // operator's call too.
              resumed.set(site.resumeInstantBook(servers.get(1)));
            })
        .degradedWhen(
            () -> servers.stream().allMatch(s -> site.featureOn(s, Site.INSTANT_BOOK) == 0))
        .normalWhen(
            () ->
                servers.stream()
                    .allMatch(s -> site.featureOn(s, Site.INSTANT_BOOK) == before.get()))
        .check(
            t ->
                t.check(
                    "instant-book was on for some visitors before the kill ("
                        + before.get()
                        + " of "
                        + (Site.VISITORS + Site.USERS)
                        + ")",
                    before.get() > 0))
        .check(
            t ->
                t.check(
                    "the kill paused the rollout plan, and resuming it answered 200 ("
                        + resumed.get()
                        + ")",
                    resumed.get() == 200))
        .check(
            t ->
                t.check(
                    "the kill and the revival each answered 200 " + site.adminAnswers,
                    site.adminAnswers.size() >= 2
                        && site
                            .adminAnswers
                            .subList(site.adminAnswers.size() - 2, site.adminAnswers.size())
                            .stream()
                            .allMatch(code -> code == 200)));
  }

  Step paymentsSlow(String name) {
    List<Double> timeoutsBefore = new CopyOnWriteArrayList<>();
    Step step =
        new Step(name, "both providers take 5 s to answer, and still charge")
            .before(
                () -> {
                  timeoutsBefore.clear();
                  servers.forEach(s -> timeoutsBefore.add(Site.timeouts(s)));
                })
            .inject(() -> payments.forEach(p -> p.behave(PaymentService.Behaviour.SLOW)))
            .heal(() -> payments.forEach(p -> p.behave(PaymentService.Behaviour.OK)))
            .designed(Answer.PAID_LATER, Answer.FAILED_OVER)
            // One bounded attempt (a charge that may have been taken is never sent elsewhere), so
            // every booking answers within the bound, well before the 5 s stall ends.
            .mustSee(
                "the instant-book rollout halted itself",
                () ->
                    servers.get(0).rollouts().status(Site.INSTANT_BOOK).state()
                        == Rollouts.State.HALTED);
    for (String provider : List.of("primary", "secondary")) {
      eachServer(
          (server, label) ->
              step.mustSee(
                  provider + "'s breaker opened on " + label,
                  () -> Site.breaker(server, provider) == CircuitBreaker.State.OPEN));
    }
    primaryClosesAgain(step);
    step.onceSettled(
        (t, checks) -> {
          long repeats = payments.stream().mapToLong(PaymentService::replays).sum();
          checks.add(
              "the stalled charges met their settlement: a repeated idempotency key got the first"
                  + " answer back, never a second charge ("
                  + repeats
                  + " repeats)",
              repeats > 0);
        });
    // The next step starts once the stalled requests have ended (and taken their charges).
    step.mustHoldAfter(
        "the providers finished the charges they stalled",
        () -> payments.stream().allMatch(p -> p.stalled() == 0));
    step.note(
        () ->
            "requests stalled at the providers at the end: "
                + payments.stream().map(p -> p.name() + " " + p.stalled()).toList());
    return step.check(
        t -> {
          List<Long> cut = new ArrayList<>();
          for (int i = 0; i < servers.size(); i++) {
            cut.add(Math.round(Site.timeouts(servers.get(i)) - timeoutsBefore.get(i)));
          }
          t.check(
              "timeouts cut slow attempts short on both servers " + cut,
              cut.stream().allMatch(n -> n > 0));
        });
  }

  Step primaryFailing(String name) {
    Step step =
        new Step(name, "the primary answers 503 (nothing charged)")
            .inject(() -> payments.get(0).behave(PaymentService.Behaviour.FAILING))
            .heal(() -> payments.get(0).behave(PaymentService.Behaviour.OK))
            .designed(Answer.FAILED_OVER, Answer.PAID_LATER);
    primaryOpens(step);
    primaryClosesAgain(step);
    return step.check(
        t ->
            t.check(
                "bookings failed over to the secondary in the same request ("
                    + t.count(Answer.FAILED_OVER)
                    + ")",
                t.count(Answer.FAILED_OVER) > 0));
  }

  Step primaryDropping(String name) {
    Step step =
        new Step(name, "the primary drops every connection without answering")
            .inject(() -> payments.get(0).behave(PaymentService.Behaviour.DROPPING))
            .heal(() -> payments.get(0).behave(PaymentService.Behaviour.OK))
            .designed(Answer.PAID_LATER, Answer.FAILED_OVER);
    primaryOpens(step);
    primaryClosesAgain(step);
    step.onceSettled(
        (t, checks) -> {
          var rows = site.database().payments();
          List<Long> maybeAtPrimary =
              t.bookings.stream()
                  .filter(b -> b.answer() == Answer.PAID_LATER)
                  .map(StepTally.Booked::booking)
                  .toList();
          // Settled with the primary: charged by it, or declined by it (a card can be declined by
          // the time the charge is taken); never asked of the secondary.
          List<Long> elsewhere =
              maybeAtPrimary.stream()
                  .filter(
                      b ->
                          payments.get(1).attempts(b) > 0
                              || !(String.valueOf(rows.get(b)).startsWith("primary-")
                                  || "declined".equals(rows.get(b))))
                  .toList();
          checks.add(
              "the "
                  + maybeAtPrimary.size()
                  + " bookings the dropping primary may have charged were settled with the primary"
                  + " alone",
              elsewhere.isEmpty());
          for (long booking : elsewhere) {
            checks.detail(
                "booking "
                    + booking
                    + " was paid later in the drop step and settled as "
                    + rows.get(booking)
                    + " ("
                    + payments.get(0).attempts(booking)
                    + " attempts at the primary, "
                    + payments.get(1).attempts(booking)
                    + " at the secondary)");
          }
        });
    return step.check(
        t ->
            t.check(
                "a dropped charge may have been taken, so it was paid later, not failed over ("
                    + t.count(Answer.PAID_LATER)
                    + "); once the primary's breaker opened, the secondary charged ("
                    + t.count(Answer.FAILED_OVER)
                    + ")",
                t.count(Answer.PAID_LATER) > 0 && t.count(Answer.FAILED_OVER) > 0));
  }

  Step cardDeclined(String name) {
    Step step =
        new Step(name, "the providers decline " + DECLINED_GUEST + "'s card")
            .inject(() -> payments.forEach(p -> p.declineCardOf(DECLINED_GUEST, true)))
            .heal(() -> payments.forEach(p -> p.declineCardOf(DECLINED_GUEST, false)))
            .designed(Answer.DECLINED)
            .onlyUser(DECLINED_GUEST)
            .mustNotSee(
                "declines did not count against the primary's breaker on either server",
                () ->
                    servers.stream()
                        .anyMatch(s -> Site.breaker(s, "primary") != CircuitBreaker.State.CLOSED));
    return step.check(
        t -> {
          List<Long> declined =
              t.bookings.stream()
                  .filter(b -> b.answer() == Answer.DECLINED)
                  .map(StepTally.Booked::booking)
                  .toList();
          List<String> wrong = new ArrayList<>();
          for (long booking : declined) {
            long atPrimary = payments.get(0).attempts(booking);
            long atSecondary = payments.get(1).attempts(booking);
            if (atPrimary != 1 || atSecondary != 0) {
              wrong.add(
                  booking
                      + ": "
                      + atPrimary
                      + " at the primary, "
                      + atSecondary
                      + " at the secondary");
            }
          }
          t.check(
              "each of the "
                  + declined.size()
                  + " declined bookings was asked of the primary once, never retried or sent to"
                  + " the secondary"
                  + (wrong.isEmpty() ? "" : " " + wrong),
              !declined.isEmpty() && wrong.isEmpty());
        });
  }

  /**
   * A game day, with the library's fault injection instead of a hook in the providers: the operator
   * starts an experiment through server-a's admin API that fails {@value #GAME_DAY_PERCENTAGE}% of
   * the payment providers' calls ({@code Client.charge}, at both providers, on both servers: it is
   * kept in the store they share), and lets it run out. An injected failure stands for a call that
   * never reached the provider, so a booking whose primary call failed is charged by the secondary
   * in the same request, and one whose both calls failed is paid later; nothing is charged twice.
   * The experiment runs the step's length and three seconds more (enough payment calls for each
   * server to meet its share of faults), ends by itself on both servers, and its start and its end
   * are in the fleet's audit trail.
   */
  Step paymentsGameDay(String name, Duration length) {
    long seconds = Math.max(1, length.toSeconds()) + 3;
    String experiment =
        "{\"fault\":\"exception\",\"calls\":[\"Client.charge\"],\"percentage\":"
            + GAME_DAY_PERCENTAGE
            + ",\"duration\":\"PT"
            + seconds
            + "S\"}";
    AtomicInteger started = new AtomicInteger();
    AtomicInteger secondaryBefore = new AtomicInteger();
    Step step =
        new Step(
                name,
                "experiment "
                    + GAME_DAY
                    + " started through server-a's admin API: "
                    + GAME_DAY_PERCENTAGE
                    + "% of the payment calls fail, at both providers, for "
                    + seconds
                    + " s")
            .before(() -> secondaryBefore.set(payments.get(1).charges().size()))
            .inject(() -> started.set(site.startExperiment(servers.get(0), GAME_DAY, experiment)))
            .endsByItself(
                "the experiment ended by itself on both servers and left the store",
                () ->
                    servers.stream().allMatch(s -> s.faults().running().isEmpty())
                        && !site.experimentListed(servers.get(1), GAME_DAY))
            // Only for an experiment that did not end by itself, so the steps after run clean.
            .heal(
                () -> {
                  if (site.experimentListed(servers.get(0), GAME_DAY)) {
                    site.stopExperiment(servers.get(0), GAME_DAY);
                  }
                })
            .designed(Answer.FAILED_OVER, Answer.PAID_LATER)
            .mustSee(
                "server-b ran the experiment server-a started",
                () ->
                    servers.get(1).faults().running().stream()
                        .anyMatch(e -> e.id().equals(GAME_DAY)))
            .mustSee(
                "the secondary charged bookings whose call at the primary failed",
                () -> payments.get(1).charges().size() > secondaryBefore.get());
    eachServer(
        (server, label) ->
            step.mustSee(
                label + " injected faults into payment calls",
                () -> Site.injected(server, GAME_DAY) > 0));
    primaryClosesAgain(step);
    step.mustHoldAfter(
        "the fleet's audit trail for fault/"
            + GAME_DAY
            + ", read through server-b's admin API, is its start and its end by itself",
        () ->
            site.auditActions(servers.get(1), "fault/" + GAME_DAY)
                .equals(List.of("faults.start", "faults.expire")));
    step.note(
        () ->
            "faults injected (server-a, server-b): "
                + servers.stream().map(s -> Math.round(Site.injected(s, GAME_DAY))).toList());
    return step.check(
            t ->
                t.check(
                    "the operator's start answered 200 (" + started.get() + ")",
                    started.get() == 200))
        .check(
            t ->
                t.check(
                    "bookings whose primary call failed were charged by the secondary in the same"
                        + " request ("
                        + t.count(Answer.FAILED_OVER)
                        + "); those whose calls failed at both providers were paid later ("
                        + t.count(Answer.PAID_LATER)
                        + ")",
                    t.count(Answer.FAILED_OVER) > 0));
  }

  Step databaseReadOnly(String name) {
    Step step =
        new Step(name, "the database reopens read-only, as after a failover to a replica")
            .inject(() -> site.reopen(true))
            .heal(() -> site.reopen(false))
            .designed(Answer.BROWSE_ONLY, Answer.PAID_LATER)
            .mustSee(
                "server-a's fleet view showed both servers' own reasons",
                () ->
                    servers.get(0).readMode().allReasons().stream()
                        .map(ReadOnlyReason::id)
                        .collect(Collectors.toSet())
                        .containsAll(Site.SERVERS.stream().map(Site::writePathReason).toList()));
    eachServer(
        (server, label) ->
            step.mustSee(
                    label
                        + " went browse-only on its own reason ("
                        + Site.writePathReason(label)
                        + ")",
                    () ->
                        server.readMode().isBrowseOnly()
                            && server.readMode().reasons().stream()
                                .anyMatch(r -> r.id().equals(Site.writePathReason(label))))
                .mustHoldAfter(
                    label + " is read-write again", () -> !server.readMode().isBrowseOnly()));
    return step;
  }

  Step storeDown(String name, Drill.Store store, boolean nearCache) {
    return storeFault(
        name, store.name() + " is stopped", store::stop, store::start, nearCache, store.name());
  }

  Step redisSlow(String name, RedisBehindProxy redis) {
    return storeFault(
        name,
        "every Redis byte is held "
            + RedisBehindProxy.SLOW.toMillis()
            + " ms each way, longer than the store's timeout",
        redis::slow,
        redis::heal,
        true,
        "Redis");
  }

  Step redisPartitioned(String name, RedisBehindProxy redis) {
    return storeFault(
        name,
        "nothing passes between the servers and Redis; connections stay open",
        redis::partition,
        redis::heal,
        true,
        "Redis");
  }

  /**
   * The store unreachable: flags answer from their snapshot; with a near cache (Redis) users keep
   * their sessions on their own server, whose changes are held and written back; a session the
   * server does not hold is refused politely (503), as is every session without a near cache.
   */
  private Step storeFault(
      String name, String breaks, Runnable inject, Runnable heal, boolean nearCache, String what) {
    AtomicInteger canary = new AtomicInteger();
    // Changes each server held already (a step before may have left some): this step's are more.
    Map<BookingApp, Integer> heldBefore = new ConcurrentHashMap<>();
    Step step =
        new Step(name, breaks)
            .before(
                () -> {
                  site.warmSessions();
                  canary.set(site.featureOn(servers.get(0), Site.CANARY));
                  servers.forEach(s -> heldBefore.put(s, s.sessions().pendingCount()));
                })
            .inject(inject)
            .heal(heal)
            .designed(Answer.SESSION_DOWN)
            .recovery(Step.Recovery.SHARED_SESSION)
            // Without a near cache every request asks the store (3 s timeout a call).
            .bound(Duration.ofSeconds(nearCache ? 4 : 6))
            .mustHoldWhileBroken(
                "flags answered from their snapshot on both servers ("
                    + Site.CANARY
                    + " on for the same visitors)",
                () ->
                    servers.stream().allMatch(s -> site.featureOn(s, Site.CANARY) == canary.get()));
    if (nearCache) {
      // A session made on one server while the store was away reaches the other once written back:
      // until then the other server answers from what it has (serve-cached's documented trade).
      step.designed(Answer.SESSION_DOWN, Answer.NOT_SHARED_YET)
          .designedWhileHealing(Answer.NOT_SHARED_YET)
          .sticky()
          .degradedWhen(
              () ->
                  servers.stream()
                      .anyMatch(s -> s.sessions().pendingCount() > heldBefore.getOrDefault(s, 0)));
      eachServer(
          (server, label) ->
              step.mustSee(
                  label + " held its users' session changes while " + what + " was away",
                  () -> server.sessions().pendingCount() > heldBefore.getOrDefault(server, 0)));
      step.mustHoldAfter(
          "the session changes held meanwhile were written back on both servers",
          () ->
              servers.stream()
                  .allMatch(s -> s.sessions().pendingCount() <= heldBefore.getOrDefault(s, 0)));
      step.note(
          () ->
              "session changes held at the end (server-a, server-b): "
                  + servers.stream().map(s -> s.sessions().pendingCount()).toList());
    }
    return step;
  }

  private void primaryOpens(Step step) {
    eachServer(
        (server, label) ->
            step.mustSee(
                "primary's breaker opened on " + label,
                () -> Site.breaker(server, "primary") == CircuitBreaker.State.OPEN));
  }

  private void primaryClosesAgain(Step step) {
    eachServer(
        (server, label) ->
            step.mustHoldAfter(
                "primary's breaker closed again on " + label,
                () -> Site.breaker(server, "primary") == CircuitBreaker.State.CLOSED));
  }

  private interface PerServer {
    void accept(BookingApp server, String label);
  }

  private void eachServer(PerServer action) {
    for (int i = 0; i < servers.size(); i++) {
      action.accept(servers.get(i), Site.SERVERS.get(i));
    }
  }
}
