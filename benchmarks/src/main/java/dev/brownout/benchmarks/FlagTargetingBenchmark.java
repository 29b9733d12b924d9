package dev.brownout.benchmarks;

import dev.brownout.flags.FlagContext;
import dev.brownout.flags.FlagDefinition;
import dev.brownout.flags.FlagDefinition.Condition;
import dev.brownout.flags.FlagDefinition.Serve;
import dev.brownout.flags.Flags;
import dev.brownout.flags.SegmentDefinition;
import dev.brownout.state.InMemoryStateStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Brownout's evaluation for each kind of rule, a different user each call (1024 users, contexts
 * built in advance with a plan, an age, an app version and a sign-up date, as an application holds
 * its user's context for the request). Each flag has one rule of its kind, serving {@code on}, and
 * a sticky 30 % rollout for everyone else:
 *
 * <ul>
 *   <li>{@code plain}: no rule, on for everyone (the floor);
 *   <li>{@code in}: {@code plan in [beta]};
 *   <li>{@code numeric}: {@code age gte 65};
 *   <li>{@code semver}: {@code appVersion semver_gte 2.0.0-rc.10} (pre-releases ordered);
 *   <li>{@code date}: {@code signedUp before 2026-03-01T00:00:00Z};
 *   <li>{@code segment}: {@code in_segment beta-testers}, a segment of 100 listed users and a rule.
 * </ul>
 *
 * Numbers, dates and versions are parsed once per context, the first time a rule compares them, so
 * every evaluation after that allocates nothing.
 *
 * <p>Run: {@code benchmarks/run FlagTargetingBenchmark flags-targeting -f 3} (writes {@code
 * benchmarks/results/flags-targeting.json}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class FlagTargetingBenchmark {
  private static final int USERS = 1024;

  private Flags flags;
  private FlagContext[] users;
  private int next;

  /** Builds the flags, the segment and the users. */
  @Setup(Level.Trial)
  public void setUp() {
    users = new FlagContext[USERS];
    List<String> beta = new ArrayList<>();
    for (int i = 0; i < USERS; i++) {
      String user = "user-" + i;
      if (i % 10 == 0) {
        beta.add(user);
      }
      users[i] =
          FlagContext.builder(user)
              .attribute("plan", i % 10 == 0 ? "beta" : "free")
              .attribute("age", 18 + i % 70)
              .attribute("appVersion", i % 3 == 0 ? "2.0.0-rc.2" : i % 3 == 1 ? "2.0.0" : "1.9.7")
              .attribute("signedUp", "2026-0" + (1 + i % 6) + "-15T12:00:00Z")
              .build();
    }
    flags = Flags.builder(InMemoryStateStore.create()).build();
    flags
        .segments()
        .create(
            new SegmentDefinition(
                "beta-testers",
                null,
                beta.subList(0, Math.min(100, beta.size())),
                null,
                List.of(
                    new SegmentDefinition.Rule(
                        "staff", List.of(new Condition("plan", "in", List.of("staff")))))));
    flags.admin().create(FlagDefinition.on("plain"));
    create("in", new Condition("plan", "in", List.of("beta")));
    create("numeric", new Condition("age", "gte", List.of("65")));
    create("semver", new Condition("appVersion", "semver_gte", List.of("2.0.0-rc.10")));
    create("date", new Condition("signedUp", "before", List.of("2026-03-01T00:00:00Z")));
    create("segment", Condition.inSegment("beta-testers"));
  }

  private void create(String key, Condition condition) {
    flags
        .admin()
        .create(
            FlagDefinition.builder(key)
                .rule(key, Serve.variant("on"), condition)
                .rollout(30)
                .build());
  }

  /** Releases the flags. */
  @TearDown(Level.Trial)
  public void tearDown() {
    flags.close();
  }

  private FlagContext nextUser() {
    next = (next + 1) & (USERS - 1);
    return users[next];
  }

  /** No rule: the floor. */
  @Benchmark
  public boolean plain() {
    return flags.isEnabled("plain", nextUser());
  }

  /** {@code plan in [beta]}, else a 30 % rollout. */
  @Benchmark
  public boolean in() {
    return flags.isEnabled("in", nextUser());
  }

  /** {@code age gte 65}, else a 30 % rollout. */
  @Benchmark
  public boolean numeric() {
    return flags.isEnabled("numeric", nextUser());
  }

  /** {@code appVersion semver_gte 2.0.0-rc.10}, else a 30 % rollout. */
  @Benchmark
  public boolean semver() {
    return flags.isEnabled("semver", nextUser());
  }

  /** {@code signedUp before 2026-03-01}, else a 30 % rollout. */
  @Benchmark
  public boolean date() {
    return flags.isEnabled("date", nextUser());
  }

  /** {@code in_segment beta-testers}, else a 30 % rollout. */
  @Benchmark
  public boolean segment() {
    return flags.isEnabled("segment", nextUser());
  }
}
