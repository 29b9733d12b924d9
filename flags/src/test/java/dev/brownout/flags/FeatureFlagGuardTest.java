package dev.brownout.flags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.core.guard.GuardConfigurationException;
import dev.brownout.core.guard.GuardedProxies;
import dev.brownout.state.InMemoryStateStore;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FeatureFlagGuardTest {
  final InMemoryStateStore store = InMemoryStateStore.create();
  final Flags flags = Flags.builder(store).build();

  @AfterEach
  void close() {
    flags.close();
    store.close();
  }

  public interface Recommendations {
    @FeatureFlag(value = "personalised", fallback = Bestsellers.class)
    List<String> forUser(FlagContext user);

    @FeatureFlag("instant-book")
    String book(String listing);
  }

  public static final class Bestsellers implements Recommendations {
    @Override
    public List<String> forUser(FlagContext user) {
      return List.of("bestseller");
    }

    @Override
    public String book(String listing) {
      return "request sent";
    }
  }

  static final class Personalised implements Recommendations {
    @Override
    public List<String> forUser(FlagContext user) {
      return List.of("for " + user.key());
    }

    @Override
    public String book(String listing) {
      return "booked " + listing;
    }
  }

  public interface Broken {
    @FeatureFlag(value = "Not A Key", fallback = String.class)
    String call();
  }

  Recommendations proxy() {
    return GuardedProxies.builder()
        .add(flags.guards(() -> FlagContext.of("scheduler")))
        .build()
        .proxy(Recommendations.class, new Personalised());
  }

  @Test
  void onCallsTheMethodAndOffCallsTheFallback() {
    flags.admin().create(FlagDefinition.on("personalised"));
    Recommendations recommendations = proxy();
    assertThat(recommendations.forUser(FlagContext.of("ada"))).containsExactly("for ada");

    flags.admin().update("personalised", f -> f.withEnabled(false), OptionalLong.empty(), false);

    assertThat(recommendations.forUser(FlagContext.of("ada"))).containsExactly("bestseller");
  }

  @Test
  void offWithoutAFallbackIsATypedExceptionNeverANull() {
    Recommendations recommendations = proxy();

    assertThatThrownBy(() -> recommendations.book("loft"))
        .isInstanceOfSatisfying(
            FeatureDisabledException.class, e -> assertThat(e.flag()).isEqualTo("instant-book"))
        .hasMessageContaining("flag_not_found")
        .hasMessageContaining("Recommendations.book(String)");

    flags.admin().create(FlagDefinition.on("instant-book"));
    assertThat(recommendations.book("loft")).isEqualTo("booked loft");
  }

  @Test
  void aRolloutUsesTheContextSupplierWhenNoParameterGivesOne() {
    flags
        .admin()
        .create(
            new FlagDefinition(
                "instant-book",
                null,
                true,
                null,
                null,
                null,
                List.of(new FlagDefinition.Target("on", List.of("scheduler"))),
                null,
                FlagDefinition.Serve.variant("off")));

    assertThat(proxy().book("loft")).isEqualTo("booked loft");
  }

  @Test
  void aBadKeyAndABadFallbackFailWhenTheProxyIsBuilt() {
    assertThatThrownBy(
            () ->
                GuardedProxies.builder().add(flags.guards()).build().proxy(Broken.class, () -> "x"))
        .isInstanceOfSatisfying(
            GuardConfigurationException.class,
            e -> assertThat(e.problems()).singleElement().asString().contains("'Not A Key'"));
  }
}
