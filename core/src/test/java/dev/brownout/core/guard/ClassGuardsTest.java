package dev.brownout.core.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Guards on classes: the per-method chain an interception framework runs, and subclass proxies for
 * services that implement no interface.
 */
class ClassGuardsTest {
  @GuardAnnotation(providedBy = "audit guards")
  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.METHOD, ElementType.TYPE})
  @interface Audited {
    String value();
  }

  /** Records each guarded call, and can refuse them. */
  static final class AuditFactory implements GuardFactory {
    final List<String> seen = new CopyOnWriteArrayList<>();
    volatile boolean refuse;

    @Override
    public int order() {
      return 100;
    }

    @Override
    public Set<Class<? extends java.lang.annotation.Annotation>> handles() {
      return Set.of(Audited.class);
    }

    @Override
    public Optional<MethodGuard> create(GuardedMethod method) {
      return method
          .annotation(Audited.class)
          .map(
              audited -> {
                if (audited.value().isBlank()) {
                  throw new IllegalArgumentException("@Audited needs a name");
                }
                return (args, next) -> {
                  if (refuse) {
                    throw new IllegalStateException("refused " + audited.value());
                  }
                  seen.add(audited.value());
                  return next.proceed(args);
                };
              });
    }
  }

  /** A class-based service, as a Spring {@code @Service} would be. */
  public static class Ledger {
    final List<String> posted = new CopyOnWriteArrayList<>();

    @Audited("post")
    public String post(String entry) {
      posted.add(entry);
      return "posted " + entry;
    }

    public String postTwice(String entry) {
      // A call on itself: no proxy in between, so no guard runs.
      post(entry);
      return post(entry);
    }

    public int count() {
      return posted.size();
    }
  }

  public static class Broken {
    @Audited(" ")
    public void nothing() {}
  }

  final AuditFactory audit = new AuditFactory();
  final GuardedProxies guards = GuardedProxies.builder().add(audit).build();

  @Test
  void anInterceptorRunsTheSameValidatedChain() throws Throwable {
    Ledger ledger = new Ledger();
    Map<Method, MethodChain> chains = guards.chains(Ledger.class);
    Method post = Ledger.class.getMethod("post", String.class);
    assertThat(chains).containsOnlyKeys(post);

    Object result =
        chains.get(post).invoke(new Object[] {"rent"}, args -> ledger.post((String) args[0]));
    assertThat(result).isEqualTo("posted rent");
    assertThat(audit.seen).containsExactly("post");

    audit.refuse = true;
    assertThatThrownBy(() -> chains.get(post).invoke(new Object[] {"x"}, args -> ledger.post("x")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("refused post");
    assertThat(ledger.posted).containsExactly("rent");
  }

  @Test
  void invalidAnnotationsOnAClassFailWhenTheChainsAreBuilt() {
    assertThatThrownBy(() -> guards.chains(Broken.class))
        .isInstanceOf(GuardConfigurationException.class)
        .hasMessageContaining("@Audited needs a name");
    assertThatThrownBy(() -> GuardedProxies.builder().build().chains(Ledger.class))
        .isInstanceOf(GuardConfigurationException.class)
        .hasMessageContaining("@Audited is not handled by any guard");
  }

  @Test
  void aSubclassProxyGuardsAClassAndCallsThroughThisAreNotGuarded() {
    Ledger real = new Ledger();
    Ledger guarded = guards.subclass(Ledger.class, real);

    assertThat(guarded).isInstanceOf(Ledger.class);
    assertThat(guarded.post("rent")).isEqualTo("posted rent");
    assertThat(audit.seen).containsExactly("post");
    assertThat(guarded.count()).as("unguarded methods reach the real object").isEqualTo(1);

    audit.seen.clear();
    guarded.postTwice("gas");
    assertThat(real.posted).containsExactly("rent", "gas", "gas");
    assertThat(audit.seen).as("self-invocation skips the guards, as with any proxy").isEmpty();

    audit.refuse = true;
    assertThatThrownBy(() -> guarded.post("x")).hasMessage("refused post");
  }

  public static final class Sealed {
    @Audited("x")
    public void run() {}
  }

  @Test
  void aFinalClassCannotBeSubclassed() {
    assertThatThrownBy(() -> guards.subclass(Sealed.class, new Sealed()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is final");
  }
}
