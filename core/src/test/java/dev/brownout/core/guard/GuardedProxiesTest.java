package dev.brownout.core.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class GuardedProxiesTest {

  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.METHOD, ElementType.TYPE})
  @interface Traced {
    String value();
  }

  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.METHOD)
  @interface Retried {
    int attempts();
  }

  interface Greeter {
    @Traced("greet")
    String greet(String name) throws IOException;

    String plain(String name);

    @Retried(attempts = 3)
    String flaky();

    @Retried(attempts = 0)
    String misconfigured();

    default String shout(String name) throws IOException {
      return greet(name).toUpperCase(java.util.Locale.ROOT);
    }
  }

  static class RealGreeter implements Greeter {
    final AtomicInteger flakyCalls = new AtomicInteger();

    @Override
    public String greet(String name) throws IOException {
      if (name.isEmpty()) {
        throw new IOException("no name");
      }
      return "hello " + name;
    }

    @Override
    public String plain(String name) {
      if (name == null) {
        throw new IllegalArgumentException("name is null");
      }
      return "plain " + name;
    }

    @Override
    @Traced("flaky")
    public String flaky() {
      if (flakyCalls.incrementAndGet() < 3) {
        throw new IllegalStateException("not yet");
      }
      return "finally";
    }

    @Override
    public String misconfigured() {
      return "never guarded";
    }
  }

  /** Records the order in which guards run. */
  static final class TraceFactory implements GuardFactory {
    final int order;
    final String label;
    final List<String> trace;

    TraceFactory(int order, String label, List<String> trace) {
      this.order = order;
      this.label = label;
      this.trace = trace;
    }

    @Override
    public int order() {
      return order;
    }

    @Override
    public Optional<MethodGuard> create(GuardedMethod method) {
      return method
          .annotation(Traced.class)
          .map(
              traced ->
                  (args, next) -> {
                    trace.add(label + ">" + traced.value());
                    try {
                      return next.proceed(args);
                    } finally {
                      trace.add(label + "<" + traced.value());
                    }
                  });
    }
  }

  /** Retries runtime failures; rejects a non-positive attempt count when the proxy is built. */
  static final class RetryFactory implements GuardFactory {
    @Override
    public int order() {
      return 4000;
    }

    @Override
    public Optional<MethodGuard> create(GuardedMethod method) {
      return method
          .annotation(Retried.class)
          .map(
              retried -> {
                if (retried.attempts() < 1) {
                  throw new IllegalArgumentException(
                      "@Retried attempts must be at least 1 but was " + retried.attempts());
                }
                return (args, next) -> {
                  RuntimeException last = null;
                  for (int i = 0; i < retried.attempts(); i++) {
                    try {
                      return next.proceed(args);
                    } catch (RuntimeException e) {
                      last = e;
                    }
                  }
                  throw last;
                };
              });
    }
  }

  final List<String> trace = new CopyOnWriteArrayList<>();

  GuardedProxies guards(GuardFactory... factories) {
    return GuardedProxies.builder().add(factories).build();
  }

  @Test
  void guardsRunInOrderOutermostFirstWhateverOrderTheyWereAdded() throws Exception {
    Greeter greeter =
        guards(new TraceFactory(20, "inner", trace), new TraceFactory(10, "outer", trace))
            .proxy(Greeter.class, new OkGreeter());

    assertThat(greeter.greet("ada")).isEqualTo("hello ada");
    assertThat(trace).containsExactly("outer>greet", "inner>greet", "inner<greet", "outer<greet");
  }

  /** A greeter whose retry annotation is valid, for tests about other things. */
  static class OkGreeter extends RealGreeter {}

  @Test
  void misconfigurationFailsWhenTheProxyIsBuiltNamingEveryMethod() {
    RetryFactory retry = new RetryFactory();
    assertThatThrownBy(() -> guards(retry).proxy(Greeter.class, new RealGreeter()))
        .isInstanceOfSatisfying(
            GuardConfigurationException.class,
            e -> {
              assertThat(e.problems())
                  .containsExactly(
                      "Greeter.misconfigured(): @Retried attempts must be at least 1 but was 0");
              assertThat(e.getMessage()).contains("cannot guard " + Greeter.class.getName());
            });
  }

  @Test
  void checkedAndUncheckedExceptionsFromTheTargetComeOutUnwrapped() {
    Greeter greeter =
        guards(new TraceFactory(10, "t", trace)).proxy(Greeter.class, new OkGreeter());

    assertThatThrownBy(() -> greeter.greet(""))
        .isExactlyInstanceOf(IOException.class)
        .hasMessage("no name");
    assertThatThrownBy(() -> greeter.plain(null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("name is null");
  }

  @Test
  void aGuardMayProceedSeveralTimes() {
    interface Flaky {
      @Retried(attempts = 3)
      String flaky();
    }
    AtomicInteger calls = new AtomicInteger();
    Flaky target =
        () -> {
          if (calls.incrementAndGet() < 3) {
            throw new IllegalStateException("not yet");
          }
          return "finally";
        };

    Flaky flaky = guards(new RetryFactory()).proxy(Flaky.class, target);

    assertThat(flaky.flaky()).isEqualTo("finally");
    assertThat(calls).hasValue(3);
  }

  @Test
  void aGuardMayProceedOnAnotherThreadAndSeesTheArguments() throws Exception {
    GuardFactory offThread =
        new GuardFactory() {
          @Override
          public int order() {
            return 7000;
          }

          @Override
          public Optional<MethodGuard> create(GuardedMethod method) {
            return Optional.of(
                (args, next) -> {
                  assertThat(args).containsExactly("ada");
                  assertThat(method.method().getName()).isEqualTo("greet");
                  java.util.concurrent.FutureTask<Object> task =
                      new java.util.concurrent.FutureTask<>(
                          () -> {
                            try {
                              return next.proceed(args);
                            } catch (Throwable t) {
                              throw new IllegalStateException(t);
                            }
                          });
                  Thread thread = new Thread(task);
                  thread.start();
                  return task.get();
                });
          }
        };
    interface Single {
      String greet(String name);
    }

    Single proxy =
        guards(offThread)
            .proxy(
                Single.class,
                name -> "hello " + name + " from " + Thread.currentThread().getName());

    assertThat(proxy.greet("ada")).startsWith("hello ada from Thread-");
  }

  @Test
  void annotationsOnTheImplementationAreFoundToo() {
    interface Flaky {
      String flaky();
    }
    class Impl implements Flaky {
      @Override
      @Traced("on-impl")
      public String flaky() {
        return "ok";
      }
    }

    Flaky proxy = guards(new TraceFactory(1, "t", trace)).proxy(Flaky.class, new Impl());

    assertThat(proxy.flaky()).isEqualTo("ok");
    assertThat(trace).containsExactly("t>on-impl", "t<on-impl");
  }

  @Test
  void unguardedMethodsAndDefaultMethodsReachTheTarget() throws Exception {
    Greeter greeter =
        guards(new TraceFactory(10, "t", trace)).proxy(Greeter.class, new OkGreeter());

    assertThat(greeter.plain("x")).isEqualTo("plain x");
    assertThat(greeter.shout("bo")).isEqualTo("HELLO BO");
  }

  @Test
  void objectMethodsBehave() {
    Greeter greeter = guards().proxy(Greeter.class, new OkGreeter());

    assertThat(greeter).isEqualTo(greeter);
    assertThat(greeter).isNotEqualTo(guards().proxy(Greeter.class, new OkGreeter()));
    assertThat(greeter.hashCode()).isEqualTo(System.identityHashCode(greeter));
    assertThat(greeter.toString()).startsWith("GuardedProxy[");
  }

  @Test
  void twoFactoriesMayNotClaimTheSamePlace() {
    assertThatThrownBy(
            () -> guards(new TraceFactory(5, "a", trace), new TraceFactory(5, "b", trace)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("both claim order 5");
  }

  /** A guard annotation, as a module would declare one. */
  @GuardAnnotation(providedBy = "audit.guards()")
  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.METHOD, ElementType.TYPE})
  @interface Audited {
    String value();
  }

  interface Ledger {
    @Audited("post")
    String post(String entry);

    String read();
  }

  static final class PaperLedger implements Ledger {
    @Override
    public String post(String entry) {
      return "posted " + entry;
    }

    @Override
    public String read() {
      return "nothing";
    }
  }

  /** Handles {@link Audited}, recording each call. */
  static final class AuditFactory implements GuardFactory {
    final List<String> seen;

    AuditFactory(List<String> seen) {
      this.seen = seen;
    }

    @Override
    public int order() {
      return 2500;
    }

    @Override
    public java.util.Set<Class<? extends java.lang.annotation.Annotation>> handles() {
      return java.util.Set.of(Audited.class);
    }

    @Override
    public Optional<MethodGuard> create(GuardedMethod method) {
      return method
          .annotation(Audited.class)
          .map(
              audited ->
                  (args, next) -> {
                    seen.add(audited.value());
                    return next.proceed(args);
                  });
    }
  }

  @Test
  void aGuardAnnotationThatNoFactoryHandlesFailsTheBuildNamingMethodAnnotationAndFix() {
    assertThatThrownBy(
            () -> guards(new TraceFactory(1, "t", trace)).proxy(Ledger.class, new PaperLedger()))
        .isInstanceOf(GuardConfigurationException.class)
        .hasMessageContaining("Ledger.post(String)")
        .hasMessageContaining("@Audited is not handled by any guard")
        .hasMessageContaining("add audit.guards()");
  }

  @Test
  void aGuardAnnotationOnTheImplementationClassIsCheckedToo() {
    interface Plain {
      String run();
    }
    @Audited("class-level")
    class Impl implements Plain {
      @Override
      public String run() {
        return "ran";
      }
    }
    assertThatThrownBy(() -> guards().proxy(Plain.class, new Impl()))
        .isInstanceOf(GuardConfigurationException.class)
        .hasMessageContaining("Plain.run()")
        .hasMessageContaining("@Audited");
  }

  @Test
  void aHandledGuardAnnotationIsGuarded() {
    List<String> seen = new CopyOnWriteArrayList<>();
    Ledger ledger = guards(new AuditFactory(seen)).proxy(Ledger.class, new PaperLedger());

    assertThat(ledger.post("rent")).isEqualTo("posted rent");
    assertThat(ledger.read()).isEqualTo("nothing");
    assertThat(seen).containsExactly("post");
  }

  @Test
  void onlyInterfacesCanBeProxied() {
    assertThatThrownBy(() -> guards().proxy(RealGreeter.class, new RealGreeter()))
        .hasMessageContaining("extract an interface");
  }
}
