package dev.brownout.degrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.core.admin.AdminApi;
import dev.brownout.core.admin.AdminRequest;
import dev.brownout.core.admin.AdminResponse;
import dev.brownout.core.admin.BearerTokenAuthenticator;
import dev.brownout.core.buffer.BoundedBuffer;
import dev.brownout.core.guard.GuardConfigurationException;
import dev.brownout.core.guard.GuardedProxies;
import dev.brownout.state.InMemoryStateStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code @ConcurrencyLimit} on guarded calls, wired through {@link Resilience}. */
class ConcurrencyLimitGuardTest {
  final InMemoryStateStore store = InMemoryStateStore.create();
  final List<AutoCloseable> closing = new ArrayList<>();
  final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void close() throws Exception {
    release.countDown();
    for (AutoCloseable c : closing) {
      c.close();
    }
    store.close();
  }

  public interface Shop {
    @ConcurrencyLimit(value = "shop", priority = Priority.LOW)
    String recommend();

    @ConcurrencyLimit(value = "shop", priority = Priority.CRITICAL)
    String checkout();

    @ConcurrencyLimit(value = "shop", priority = Priority.LOW)
    @Fallback
    String preview();

    @ConcurrencyLimit(value = "shop", priority = Priority.LOW)
    CompletableFuture<String> later();
  }

  /** What a shed preview answers. */
  public static final class NoPreview {
    public String preview() {
      return "no preview";
    }
  }

  final CompletableFuture<String> pending = new CompletableFuture<>();

  final class SlowShop implements Shop {
    @Override
    public String recommend() {
      await();
      return "recommended";
    }

    @Override
    public String checkout() {
      return "paid";
    }

    @Override
    public String preview() {
      return "preview";
    }

    @Override
    public CompletableFuture<String> later() {
      return pending;
    }

    private void await() {
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  Resilience resilience() {
    // A fixed limit of 4: low-priority calls may use 2 of it, critical ones all 4.
    Resilience resilience =
        Resilience.builder(store)
            .concurrencyLimit("shop")
            .concurrencyInitialLimit(4)
            .concurrencyMinLimit(4)
            .concurrencyMaxLimit(4)
            .fallback(Shop.class, new NoPreview())
            .build();
    closing.add(0, resilience);
    return resilience;
  }

  Shop shop(Resilience resilience) {
    return GuardedProxies.builder()
        .add(resilience.guards())
        .build()
        .proxy(Shop.class, new SlowShop());
  }

  void inBackground(Runnable call) {
    Thread thread = new Thread(call);
    thread.setDaemon(true);
    thread.start();
  }

  @Test
  void lowPriorityCallsAreRefusedAtOnceWhileCriticalOnesStillRun() throws Exception {
    Resilience resilience = resilience();
    Shop shop = shop(resilience);
    ConcurrencyLimiter limiter = resilience.concurrencyLimiter("shop");
    inBackground(shop::recommend);
    inBackground(shop::recommend);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (limiter.inFlight() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(limiter.inFlight()).isEqualTo(2);

    assertThatThrownBy(shop::recommend)
        .isInstanceOf(OverloadedException.class)
        .hasMessageContaining("concurrency limiter 'shop'")
        .hasMessageContaining("low-priority")
        .satisfies(e -> assertThat(((OverloadedException) e).priority()).isEqualTo(Priority.LOW));
    assertThat(shop.preview()).as("the fallback answers a shed call").isEqualTo("no preview");
    assertThat(shop.checkout()).isEqualTo("paid");
    assertThat(limiter.shed(Priority.LOW)).isEqualTo(2);
    assertThat(limiter.shed(Priority.CRITICAL)).isZero();

    release.countDown();
    while (limiter.inFlight() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(limiter.inFlight()).isZero();
    assertThat(shop.recommend()).isEqualTo("recommended");
  }

  @Test
  void anAsynchronousCallHoldsItsPermitUntilItsFutureCompletes() {
    Resilience resilience = resilience();
    Shop shop = shop(resilience);
    CompletableFuture<String> first = shop.later();
    assertThat(resilience.concurrencyLimiter("shop").inFlight()).isEqualTo(1);
    pending.complete("done");
    assertThat(first.join()).isEqualTo("done");
    assertThat(resilience.concurrencyLimiter("shop").inFlight()).isZero();
  }

  public interface Misspelt {
    @ConcurrencyLimit("shoop")
    String call();
  }

  @Test
  void aLimiterThatIsNotDeclaredFailsTheProxyBuildNamingTheDeclaredOnes() {
    Resilience resilience = resilience();
    assertThatThrownBy(
            () ->
                GuardedProxies.builder()
                    .add(resilience.guards())
                    .build()
                    .proxy(Misspelt.class, () -> "x"))
        .isInstanceOf(GuardConfigurationException.class)
        .hasMessageContaining("'shoop', which is not declared")
        .hasMessageContaining("[shop]");
  }

  @Test
  void withoutTheResilienceGuardsTheAnnotationFailsTheProxyBuild() {
    assertThatThrownBy(() -> GuardedProxies.builder().build().proxy(Misspelt.class, () -> "x"))
        .isInstanceOf(GuardConfigurationException.class)
        .hasMessageContaining("@ConcurrencyLimit is not handled")
        .hasMessageContaining("Resilience.guards()");
  }

  @Test
  void aLimiterDeclaredTwiceIsRefused() {
    ConcurrencyLimiter own = ConcurrencyLimiter.builder("shop").build();
    assertThatThrownBy(
            () -> Resilience.builder(store).concurrencyLimit("shop").concurrencyLimiter(own))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'shop' is declared twice");
  }

  @Test
  void theAdminApiShowsEveryLimiterAndBuffer() {
    ConcurrencyLimiter inbound = ConcurrencyLimiter.builder("inbound").build();
    BoundedBuffer<String> analytics = BoundedBuffer.<String>builder("analytics", 2).build();
    analytics.offer("a");
    Resilience resilience =
        Resilience.builder(store)
            .concurrencyLimit("shop")
            .concurrencyLimiter(inbound)
            .buffer(analytics)
            .build();
    closing.add(0, resilience);
    inbound.tryAcquire(Priority.HIGH);
    AdminApi api =
        AdminApi.builder()
            .authenticator(
                BearerTokenAuthenticator.builder()
                    .readToken("viewer", "read-token-0123456789abcdef")
                    .build())
            .routes(resilience.adminRoutes())
            .build();
    String limits = get(api, "/api/v1/concurrency-limits");
    assertThat(limits).contains("\"name\":\"inbound\"", "\"name\":\"shop\"", "\"inFlight\":1");
    assertThat(limits).contains("\"low\":{", "\"shed\":0");
    assertThat(get(api, "/api/v1/concurrency-limits/inbound")).contains("\"limit\":20");
    AdminResponse missing =
        api.handle(
            AdminRequest.builder("GET", "/api/v1/concurrency-limits/nope")
                .header("Authorization", "Bearer read-token-0123456789abcdef")
                .build());
    assertThat(missing.status()).isEqualTo(404);
    assertThat(get(api, "/api/v1/buffers"))
        .contains("\"name\":\"analytics\"", "\"policy\":\"drop-tail\"", "\"size\":1");
  }

  static String get(AdminApi api, String path) {
    AdminResponse response =
        api.handle(
            AdminRequest.builder("GET", path)
                .header("Authorization", "Bearer read-token-0123456789abcdef")
                .build());
    assertThat(response.status()).isEqualTo(200);
    return new String(response.body(), StandardCharsets.UTF_8);
  }
}
