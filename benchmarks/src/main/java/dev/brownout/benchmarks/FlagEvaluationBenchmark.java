package dev.brownout.benchmarks;

import com.launchdarkly.sdk.LDContext;
import com.launchdarkly.sdk.server.Components;
import com.launchdarkly.sdk.server.LDClient;
import com.launchdarkly.sdk.server.LDConfig;
import com.launchdarkly.sdk.server.integrations.FileData;
import dev.brownout.flags.FlagContext;
import dev.brownout.flags.FlagDefinition;
import dev.brownout.flags.Flags;
import dev.brownout.flags.openfeature.BrownoutFeatureProvider;
import dev.brownout.state.InMemoryStateStore;
import dev.openfeature.contrib.providers.flagd.Config;
import dev.openfeature.contrib.providers.flagd.FlagdOptions;
import dev.openfeature.contrib.providers.flagd.FlagdProvider;
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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 *       than a sticky assignment: it does less than the others);
 *   <li>LaunchDarkly's Java server SDK, offline, its flag (a rule with an {@code in} clause, a
 *       30/70 rollout as fallthrough) read from a flag file, events off;
 *   <li>flagd's in-process evaluator through OpenFeature, from a flag file (JSON Logic {@code if}
 *       on {@code plan}, else {@code fractional} 30/70).
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
  private LDClient launchDarkly;
  private LDContext[] launchDarklyUsers;
  private Client flagdOpenFeature;
  private Path flagFiles;
  private int next;

  /** Builds every library's flag and the users. */
  @Setup(Level.Trial)
  public void setUp() {
    brownoutUsers = new FlagContext[USERS];
    openFeatureUsers = new EvaluationContext[USERS];
    unleashUsers = new UnleashContext[USERS];
    togglzUsers = new FeatureUser[USERS];
    launchDarklyUsers = new LDContext[USERS];
    for (int i = 0; i < USERS; i++) {
      String user = "user-" + i;
      String plan = i % 10 == 0 ? "beta" : "free";
      brownoutUsers[i] = FlagContext.builder(user).attribute("plan", plan).build();
      openFeatureUsers[i] = new ImmutableContext(user, Map.of("plan", new Value(plan)));
      unleashUsers[i] = UnleashContext.builder().userId(user).addProperty("plan", plan).build();
      togglzUsers[i] = new SimpleFeatureUser(user);
      launchDarklyUsers[i] = LDContext.builder(user).set("plan", plan).build();
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

    try {
      flagFiles = Files.createTempDirectory("flag-peers");
      Path launchDarklyFlags =
          Files.writeString(
              flagFiles.resolve("launchdarkly.json"),
              "{\"flags\":{\"checkout\":{\"key\":\"checkout\",\"version\":1,\"on\":true,"
                  + "\"salt\":\"checkout\",\"variations\":[true,false],\"offVariation\":1,"
                  + "\"targets\":[],\"prerequisites\":[],\"rules\":[{\"id\":\"beta\",\"variation\":0,"
                  + "\"clauses\":[{\"attribute\":\"plan\",\"op\":\"in\",\"values\":[\"beta\"]}]}],"
                  + "\"fallthrough\":{\"rollout\":{\"variations\":["
                  + "{\"variation\":0,\"weight\":30000},{\"variation\":1,\"weight\":70000}]}}}}}");
      launchDarkly =
          new LDClient(
              "sdk-benchmark-offline",
              new LDConfig.Builder()
                  .dataSource(FileData.dataSource().filePaths(launchDarklyFlags))
                  .events(Components.noEvents())
                  .diagnosticOptOut(true)
                  .build());
      if (!launchDarkly.isInitialized()) {
        throw new IllegalStateException("LaunchDarkly did not load its flag file");
      }
      Path flagdFlags =
          Files.writeString(
              flagFiles.resolve("flagd.json"),
              "{\"flags\":{\"checkout\":{\"state\":\"ENABLED\","
                  + "\"variants\":{\"on\":true,\"off\":false},\"defaultVariant\":\"off\","
                  + "\"targeting\":{\"if\":[{\"==\":[{\"var\":\"plan\"},\"beta\"]},\"on\","
                  + "{\"fractional\":[[\"on\",30],[\"off\",70]]}]}}}}");
      api.setProviderAndWait(
          "flagd",
          new FlagdProvider(
              FlagdOptions.builder()
                  .resolverType(Config.Resolver.FILE)
                  .offlineFlagSourcePath(flagdFlags.toString())
                  .build()));
      flagdOpenFeature = api.getClient("flagd");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    checkTheSameFlagEverywhere();
  }

  /** Each full-featured peer serves the beta rule and roughly the same 30 % rollout. */
  private void checkTheSameFlagEverywhere() {
    int[] on = new int[5];
    for (int i = 0; i < USERS; i++) {
      on[0] += flags.isEnabled(FLAG, brownoutUsers[i]) ? 1 : 0;
      on[1] += unleash.isEnabled(FLAG, unleashUsers[i]) ? 1 : 0;
      on[2] += launchDarkly.boolVariation(FLAG, launchDarklyUsers[i], false) ? 1 : 0;
      on[3] += flagdOpenFeature.getBooleanValue(FLAG, false, openFeatureUsers[i]) ? 1 : 0;
      on[4] += brownoutOpenFeature.getBooleanValue(FLAG, false, openFeatureUsers[i]) ? 1 : 0;
      if (i % 10 == 0
          && !(launchDarkly.boolVariation(FLAG, launchDarklyUsers[i], false)
              && flagdOpenFeature.getBooleanValue(FLAG, false, openFeatureUsers[i]))) {
        throw new IllegalStateException("a peer does not serve the beta rule to " + i);
      }
    }
    // 10 % beta plus 30 % of the other 90 %: about 37 %, 379 of 1024.
    for (int count : on) {
      if (count < 300 || count > 460) {
        throw new IllegalStateException("a peer is on for " + java.util.Arrays.toString(on));
      }
    }
  }

  /** Releases the clients. */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    launchDarkly.close();
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

  /** LaunchDarkly's server SDK, offline, from a flag file. */
  @Benchmark
  public boolean launchDarkly() {
    return launchDarkly.boolVariation(FLAG, launchDarklyUsers[nextUser()], false);
  }

  /** flagd's in-process evaluator through the OpenFeature SDK, from a flag file. */
  @Benchmark
  public boolean flagdInProcess() {
    return flagdOpenFeature.getBooleanValue(FLAG, false, openFeatureUsers[nextUser()]);
  }
}
