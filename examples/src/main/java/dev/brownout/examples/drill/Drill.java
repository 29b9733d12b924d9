package dev.brownout.examples.drill;

import dev.brownout.examples.booking.BookingApp;
import dev.brownout.examples.booking.Database;
import java.io.PrintStream;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The outage drill: two booking servers sharing one state store, two payment providers and an H2
 * database, under steady browsing and booking traffic, while their dependencies fail one by one.
 * Each request is counted as ok, degraded as designed for that step (paid later, charged by the
 * secondary, declined politely, a 503 problem+json), or failed (anything else, or slower than the
 * step's bound). Each step measures the time from the fault to the first designed degradation, and
 * from the heal to the first normal answer, and checks what it must show. At the end the money is
 * checked against the providers' books: every booking that stands charged exactly once.
 *
 * <p>{@link #run(int, PrintStream)} is the full drill, on its own Redis behind a fault proxy
 * ({@code ./examples/demo drill}); {@link #runOn} is a shorter one on any store the caller can stop
 * and start (DynamoDB Local, in the tests).
 */
public final class Drill {
  /** A state store the servers share, which the drill stops and starts. */
  public interface Store extends AutoCloseable {
    /** What to call it in the report. */
    String name();

    /** The {@code --store} value the servers open. */
    String uri();

    /** Stops it, as an outage would. */
    void stop();

    /** Starts it again, with what it held. */
    void start();

    @Override
    void close();
  }

  private final PrintStream out;
  private final Duration length;
  private final Site site = new Site();
  private final Faults faults = new Faults(site);
  private final List<StepTally> tallies = new ArrayList<>();
  private final Checks checks = new Checks();

  private Drill(PrintStream out, int stepSeconds) {
    this.out = out;
    this.length = Duration.ofSeconds(stepSeconds);
  }

  /** The full drill, on its own Redis: true if every step behaved as designed. */
  public static boolean run(int stepSeconds, PrintStream out) {
    Drill drill = new Drill(out, stepSeconds);
    try (RedisBehindProxy redis = RedisBehindProxy.launch();
        Site site = drill.site) {
      site.start(redis, out);
      Faults f = drill.faults;
      return drill.runSteps(
          List.of(
              f.baseline("1 baseline"),
              f.flagKilled("2 flag killed"),
              f.paymentsSlow("3 payment API slow"),
              f.primaryFailing("4 primary answers 5xx"),
              f.primaryDropping("5 primary drops"),
              f.cardDeclined("6 card declined"),
              f.paymentsGameDay("7 payments game day", drill.length),
              f.databaseReadOnly("8 database read-only"),
              f.storeDown("9 Redis down", redis, true),
              f.redisSlow("10 Redis slow", redis),
              f.redisPartitioned("11 Redis partitioned", redis)));
    } catch (Exception e) {
      out.println("The drill could not run: " + e);
      e.printStackTrace(out);
      return false;
    }
  }

  /**
   * A shorter drill on {@code store}: a baseline, the store stopped and started, and a flag killed
   * and revived. True if every step behaved as designed.
   */
  public static boolean runOn(Store store, int stepSeconds, PrintStream out) {
    Drill drill = new Drill(out, stepSeconds);
    try (Site site = drill.site) {
      site.start(store, out);
      Faults f = drill.faults;
      return drill.runSteps(
          List.of(
              f.baseline("1 baseline"),
              f.storeDown("2 " + store.name() + " stopped", store, false),
              f.flagKilled("3 flag killed")));
    } catch (Exception e) {
      out.println("The drill could not run: " + e);
      e.printStackTrace(out);
      return false;
    }
  }

  private boolean runSteps(List<Step> steps) throws SQLException {
    long began = System.nanoTime();
    StepRunner runner =
        new StepRunner(
            out, length, tally -> new Traffic(site.servers, site.users, tally, site.acknowledged));
    for (Step step : steps) {
      StepTally tally = runner.run(step);
      tallies.add(tally);
    }
    settle();
    out.printf("Steps and checks took %.1f s.%n", (System.nanoTime() - began) / 1e9);
    Report.print(out, tallies, checks);
    return tallies.stream().allMatch(StepTally::passed) && checks.passed();
  }

  // --- closing checks

  private void settle() throws SQLException {
    out.println("Settling: every charge paid later is taken once a provider answers...");
    Database db = site.database();
    boolean settled = Site.await(() -> unpaid(db) == 0, 30);
    checks.add(
        "every booking paid later was charged once a provider answered (" + unpaid(db) + " left)",
        settled);
    Set<Long> declined =
        tallies.stream()
            .flatMap(t -> t.bookings.stream())
            .filter(b -> b.answer() == Answer.DECLINED)
            .map(StepTally.Booked::booking)
            .collect(Collectors.toSet());
    Books books = new Books(db, site.payments);
    books.check(site.acknowledged, declined, checks);
    for (StepTally tally : tallies) {
      for (Step.Settled check : tally.step.settled) {
        check.check(tally, checks);
      }
    }
    boolean sessionsKept =
        Site.await(
            () -> {
              for (Traffic.User user : site.users) {
                for (BookingApp server : site.servers) {
                  String me = Site.send(user.http, Traffic.get(server, "me")).body();
                  if (!me.contains(
                      "\"lastBooking\":" + (user.lastBooking < 0 ? "null" : user.lastBooking))) {
                    return false;
                  }
                }
              }
              return true;
            },
            15);
    checks.add(
        "every user's session holds their last acknowledged booking on both servers", sessionsKept);
  }

  private static long unpaid(Database db) {
    try {
      return db.unpaid();
    } catch (SQLException e) {
      return -1;
    }
  }
}
