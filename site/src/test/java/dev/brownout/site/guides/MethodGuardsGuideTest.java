package dev.brownout.site.guides;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.core.guard.GuardedProxies;
import dev.brownout.degrade.ReadMode;
import dev.brownout.degrade.Resilience;
import dev.brownout.flags.FeatureDisabledException;
import dev.brownout.flags.FeatureFlag;
import dev.brownout.flags.FlagContext;
import dev.brownout.flags.FlagDefinition;
import dev.brownout.flags.Flags;
import dev.brownout.state.InMemoryStateStore;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The method-guards guide: one proxy for every module's guards, whose flag, and self-calls. */
class MethodGuardsGuideTest {
  // tag::search[]
  public interface Search {
    /** For the signed-in user the supplier gives (see below). */
    @FeatureFlag("new-search")
    List<String> semantic(String query);

    /** For the unit this parameter names: a parameter wins over the supplier. */
    @FeatureFlag("new-search")
    List<String> semanticFor(FlagContext user, String query);

    /** Not guarded; it calls semantic(...) on itself. */
    List<String> everything(String query);
  }

  // end::search[]

  static final class SearchService implements Search {
    @Override
    public List<String> semantic(String query) {
      return List.of("semantic:" + query);
    }

    @Override
    public List<String> semanticFor(FlagContext user, String query) {
      return semantic(query);
    }

    // tag::self-call[]
    @Override
    public List<String> everything(String query) {
      return semantic(query); // this.semantic(...): the target itself, not the proxy, so no guard
    }
    // end::self-call[]
  }

  static final ThreadLocal<String> SIGNED_IN = ThreadLocal.withInitial(() -> "ada");

  static FlagContext currentUser() {
    return FlagContext.of(SIGNED_IN.get());
  }

  @Test
  void everyModulesGuardsOnOneProxy() {
    try (InMemoryStateStore store = InMemoryStateStore.create();
        Flags flags = Flags.builder(store).build();
        ReadMode readMode = ReadMode.builder(store).build();
        Resilience resilience = Resilience.builder(store).build()) {
      flags
          .admin()
          .create(
              FlagDefinition.builder("new-search")
                  .enabled(true)
                  .target("on", "ada")
                  .rollout(0)
                  .build());
      // tag::proxy[]
      GuardedProxies guards =
          GuardedProxies.builder()
              .add(flags.guards(() -> currentUser())) // whose flag, when no parameter says
              .add(readMode.guards())
              .add(resilience.guards())
              .build();
      Search search = guards.proxy(Search.class, new SearchService());
      // end::proxy[]

      assertThat(search.semantic("loft")).containsExactly("semantic:loft");
      SIGNED_IN.set("bob");
      try {
        assertThatThrownBy(() -> search.semantic("loft"))
            .isInstanceOf(FeatureDisabledException.class);
        assertThat(search.semanticFor(FlagContext.of("ada"), "loft"))
            .containsExactly("semantic:loft");
        // The self-call is not guarded: bob gets the new search through everything(...).
        assertThat(search.everything("loft")).containsExactly("semantic:loft");
      } finally {
        SIGNED_IN.remove();
      }
    }
  }
}
