package dev.brownout.benchmarks;

import dev.brownout.flags.FlagContext;
import dev.brownout.flags.FlagDefinition;
import dev.brownout.flags.Flags;
import dev.brownout.flags.openfeature.BrownoutFeatureProvider;
import dev.brownout.state.InMemoryStateStore;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.Value;
import dev.openfeature.sdk.providers.memory.Flag;
import dev.openfeature.sdk.providers.memory.InMemoryProvider;
import io.getunleash.DefaultUnleash;
import io.getunleash.Unleash;
import io.getunleash.UnleashContext;
import io.getunleash.util.UnleashConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.ff4j.FF4j;
import org.ff4j.core.Feature;
import org.ff4j.core.FlippingExecutionContext;
import org.ff4j.strategy.PonderationStrategy;
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
import org.togglz.core.manager.FeatureManager;
import org.togglz.core.manager.FeatureManagerBuilder;
import org.togglz.core.repository.FeatureState;
import org.togglz.core.repository.mem.InMemoryStateRepository;
import org.togglz.core.user.FeatureUser;
import org.togglz.core.user.SimpleFeatureUser;

/**
 * One boolean flag, "checkout": on for users whose {@code plan} is {@code beta}, else for a sticky
 * 30 % of users, evaluated for a different user each call (1024 users, contexts built in advance,
 * as an application holds its user's context for the request). The same work in each library:
 *
 * <ul>
 *   <li>Brownout, directly ({@link Flags#isEnabled});
 *   <li>Brownout through the OpenFeature SDK ({@link BrownoutFeatureProvider});
 *   <li>OpenFeature's own {@link InMemoryProvider}, with the rule and rollout in a context
 *       evaluator;
 *   <li>Unleash's Java SDK, offline, bootstrapped with the same flag (a constrained strategy and a
 *       30 % flexible rollout), evaluated by its Yggdrasil engine;
 *   <li>Togglz with its gradual activation strategy (it has no attribute rules, so only the 30 %);
 *   <li>FF4J with its ponderation strategy (no attribute rules, and a random draw per call rather
 *       than a sticky assignment: it does less than the others).
 * </ul>
 *
 * <p>Run: {@code benchmarks/run FlagEvaluationBenchmark flags -f 3} (writes {@code
 * benchmarks/results/flags.json}; three forks, as single forks of a few nanoseconds vary by more
 * than the differences being measured).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class FlagEvaluationBenchmark {
  private static final int USERS = 1024;
  private static final String FLAG = "checkout";

  /** Togglz features are an enum. */
  public enum TogglzFeatures implements org.togglz.core.Feature {
    /** The flag. */
    CHECKOUT
  }

  private Flags flags;
  private FlagContext[] brownoutUsers;
  private Client brownoutOpenFeature;
  private Client inMemoryOpenFeature;
  private EvaluationContext[] openFeatureUsers;
  private Unleash unleash;
  private UnleashContext[] unleashUsers;
  private FeatureManager togglz;
  private FeatureUser[] togglzUsers;
  private FeatureUser togglzCurrent;
  private FF4j ff4j;
  private FlippingExecutionContext ff4jContext;
  private int next;

  /** Builds every library's flag and the users. */
  @Setup(Level.Trial)
  public void setUp() {
    brownoutUsers = new FlagContext[USERS];
    openFeatureUsers = new EvaluationContext[USERS];
    unleashUsers = new UnleashContext[USERS];
    togglzUsers = new FeatureUser[USERS];
    for (int i = 0; i < USERS; i++) {
      String user = "user-" + i;
      String plan = i % 10 == 0 ? "beta" : "free";
      brownoutUsers[i] = FlagContext.builder(user).attribute("plan", plan).build();
      openFeatureUsers[i] = new ImmutableContext(user, Map.of("plan", new Value(plan)));
      unleashUsers[i] = UnleashContext.builder().userId(user).addProperty("plan", plan).build();
      togglzUsers[i] = new SimpleFeatureUser(user);
    }

    flags = Flags.builder(InMemoryStateStore.create()).build();
    flags
        .admin()
        .create(
            new FlagDefinition(
                FLAG,
                null,
                true,
                null,
                null,
                null,
                null,
                List.of(
                    new FlagDefinition.Rule(
                        "beta",
                        List.of(new FlagDefinition.Condition("plan", "in", List.of("beta"))),
                        FlagDefinition.Serve.variant("on"))),
                FlagDefinition.Serve.rollout(30)));

    OpenFeatureAPI api = OpenFeatureAPI.getInstance();
    api.setProviderAndWait("brownout", new BrownoutFeatureProvider(flags));
    brownoutOpenFeature = api.getClient("brownout");
    Flag<Boolean> inMemoryFlag =
        Flag.<Boolean>builder()
            .variant("on", true)
            .variant("off", false)
            .defaultVariant("off")
            .contextEvaluator(
                (flag, context) -> {
                  Value plan = context.getValue("plan");
                  if (plan != null && "beta".equals(plan.asString())) {
                    return true;
                  }
                  return Math.floorMod((FLAG + ":" + context.getTargetingKey()).hashCode(), 100)
                      < 30;
                })
            .build();
    api.setProviderAndWait("in-memory", new InMemoryProvider(Map.of(FLAG, inMemoryFlag)));
    inMemoryOpenFeature = api.getClient("in-memory");

    String unleashFeatures =
        "{\"version\":2,\"features\":[{\"name\":\"checkout\",\"enabled\":true,\"strategies\":["
            + "{\"name\":\"flexibleRollout\",\"parameters\":{\"rollout\":\"100\",\"stickiness\":\"userId\",\"groupId\":\"checkout\"},"
            + "\"constraints\":[{\"contextName\":\"plan\",\"operator\":\"IN\",\"values\":[\"beta\"]}]},"
            + "{\"name\":\"flexibleRollout\",\"parameters\":{\"rollout\":\"30\",\"stickiness\":\"userId\",\"groupId\":\"checkout\"}}]}]}";
    unleash =
        new DefaultUnleash(
            UnleashConfig.builder()
                .appName("brownout-benchmark")
                .instanceId("benchmark")
                .unleashAPI("http://127.0.0.1:1/api/")
                .toggleBootstrapProvider(() -> Optional.of(unleashFeatures))
                .disablePolling()
                .disableMetrics()
                .startupExceptionHandler(e -> {})
                .build());

    togglz =
        new FeatureManagerBuilder()
            .featureEnum(TogglzFeatures.class)
            .stateRepository(new InMemoryStateRepository())
            .userProvider(() -> togglzCurrent)
            .build();
    FeatureState state = new FeatureState(TogglzFeatures.CHECKOUT, true);
    state.setStrategyId("gradual");
    state.setParameter("percentage", "30");
    togglz.setFeatureState(state);

    ff4j = new FF4j();
    Feature feature = new Feature(FLAG, true);
    feature.setFlippingStrategy(new PonderationStrategy(0.3));
    ff4j.createFeature(feature);
    ff4jContext = new FlippingExecutionContext();
  }

  /** Releases the clients. */
  @TearDown(Level.Trial)
  public void tearDown() {
    unleash.shutdown();
    OpenFeatureAPI.getInstance().shutdown();
    flags.close();
  }

  private int nextUser() {
    next = (next + 1) & (USERS - 1);
    return next;
  }

  /** Brownout, directly. */
  @Benchmark
  public boolean brownout() {
    return flags.isEnabled(FLAG, brownoutUsers[nextUser()]);
  }

  /** Brownout through the OpenFeature SDK. */
  @Benchmark
  public boolean brownoutViaOpenFeature() {
    return brownoutOpenFeature.getBooleanValue(FLAG, false, openFeatureUsers[nextUser()]);
  }

  /** OpenFeature's in-memory provider with a context evaluator. */
  @Benchmark
  public boolean openFeatureInMemory() {
    return inMemoryOpenFeature.getBooleanValue(FLAG, false, openFeatureUsers[nextUser()]);
  }

  /** Unleash, offline, bootstrapped. */
  @Benchmark
  public boolean unleash() {
    return unleash.isEnabled(FLAG, unleashUsers[nextUser()]);
  }

  /** Togglz, gradual activation (no attribute rule). */
  @Benchmark
  public boolean togglz() {
    togglzCurrent = togglzUsers[nextUser()];
    return togglz.isActive(TogglzFeatures.CHECKOUT);
  }

  /** FF4J, ponderation (random, not sticky; no attribute rule). */
  @Benchmark
  public boolean ff4j() {
    nextUser();
    return ff4j.check(FLAG, ff4jContext);
  }
}
