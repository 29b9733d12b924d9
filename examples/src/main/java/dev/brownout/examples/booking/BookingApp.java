package dev.brownout.examples.booking;

import dev.brownout.core.admin.AdminApi;
import dev.brownout.core.admin.AdminServer;
import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.guard.GuardedProxies;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.degrade.DegradeConfig;
import dev.brownout.degrade.ReadMode;
import dev.brownout.degrade.ReadModeFilter;
import dev.brownout.degrade.Resilience;
import dev.brownout.degrade.WritePath;
import dev.brownout.degrade.WritePathDataSource;
import dev.brownout.flags.FlagConflictException;
import dev.brownout.flags.FlagDefinition;
import dev.brownout.flags.Flags;
import dev.brownout.flags.RolloutGuard;
import dev.brownout.flags.RolloutPlan;
import dev.brownout.flags.Rollouts;
import dev.brownout.session.SessionConfig;
import dev.brownout.session.Sessions;
import dev.brownout.session.StoreDownPolicy;
import dev.brownout.state.InMemoryStateStore;
import dev.brownout.state.StateStore;
import dev.brownout.state.dynamodb.DynamoDbStateStore;
import dev.brownout.state.redis.RedisStateStore;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.RetryConfig;
import jakarta.servlet.DispatcherType;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import javax.sql.DataSource;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * One booking-site server: the site in Jetty, the admin API beside it, and everything Brownout adds
 * between them and their dependencies.
 *
 * <ul>
 *   <li>sessions, flags and the read mode in one {@link StateStore}: memory, Redis or DynamoDB;
 *   <li>the database behind {@link WritePathDataSource}, so a database that refuses writes puts the
 *       site in browse-only mode and a probe brings it back;
 *   <li>the payment API behind a breaker, a retry, a timeout and a "pay later" fallback, with the
 *       later charges taken once it answers again ({@link PendingCharges});
 *   <li>"instant book" in a staged rollout (10, 30, 60, 100% every ten minutes) that halts itself
 *       while the payment API's breaker is open.
 * </ul>
 */
public final class BookingApp implements AutoCloseable {
  /**
   * How to start.
   *
   * @param name this server's name, shown in pages
   * @param sitePort the site's port (0 for a free one)
   * @param config Brownout's configuration (admin port and tokens, …)
   * @param store {@code memory}, {@code redis://host:port} or {@code dynamodb://host:port}
   * @param table the DynamoDB table, for a {@code dynamodb://} store
   * @param database the booking database
   * @param payments the payment API
   */
  public record Options(
      String name,
      int sitePort,
      BrownoutConfig config,
      String store,
      String table,
      Database database,
      URI payments) {}

  private final List<AutoCloseable> closing = new ArrayList<>();
  private final Server site;
  private final AdminServer admin;
  private final Flags flags;
  private final ReadMode readMode;
  private final Resilience resilience;
  private final Rollouts rollouts;
  private final StateStore store;

  private BookingApp(Options options) throws Exception {
    BrownoutConfig config = options.config();
    BrownoutMetrics metrics = BrownoutMetrics.inMemory();
    // Redis announces every change, so servers can cache sessions and keep serving them while it
    // is down; DynamoDB cannot announce changes to sessions, so it is read every time.
    boolean redis = options.store().startsWith("redis");
    this.store = openStore(options.store(), options.table());
    closing.add(0, store);

    this.flags = Flags.builder().store(store).metrics(metrics).build();
    closing.add(0, flags);
    try {
      flags.admin().create(FlagDefinition.rollout("instant-book", 30));
    } catch (FlagConflictException e) {
      // another server created it first
    } catch (dev.brownout.state.StateException e) {
      // the store is down at start: the flag is created by whichever server sees it up first
    }

    this.readMode = ReadMode.builder().store(store).metrics(metrics).build();
    closing.add(0, readMode);

    Sessions sessions =
        Sessions.builder()
            .store(store)
            .config(
                BrownoutConfig.builder()
                    .declare(SessionConfig.keys())
                    // On Redis, signed-in users keep going through its outages.
                    .set(SessionConfig.NEAR_CACHE_SIZE, redis ? 10_000 : 0)
                    .set(
                        SessionConfig.STORE_DOWN,
                        redis ? StoreDownPolicy.SERVE_CACHED : StoreDownPolicy.FAIL_CLOSED)
                    .build())
            .metrics(metrics)
            .build();
    closing.add(0, sessions);

    WritePath writePath =
        WritePath.builder()
            .readMode(readMode)
            .probe(WritePathDataSource.probe(options.database(), Duration.ofSeconds(1)))
            .config(
                BrownoutConfig.builder()
                    .declare(DegradeConfig.keys())
                    .set(DegradeConfig.WRITE_PATH_PROBE_INTERVAL, Duration.ofMillis(500))
                    .set(DegradeConfig.WRITE_PATH_LEASE, Duration.ofSeconds(10))
                    .set(
                        DegradeConfig.WRITE_PATH_MESSAGE,
                        "Bookings are paused for a moment while our database recovers;"
                            + " you can keep browsing.")
                    .build())
            .metrics(metrics)
            .build();
    closing.add(0, writePath);

    this.resilience =
        Resilience.builder()
            .circuitBreaker(
                "payments",
                CircuitBreakerConfig.custom()
                    .slidingWindowSize(10)
                    .minimumNumberOfCalls(5)
                    .failureRateThreshold(50)
                    .waitDurationInOpenState(Duration.ofSeconds(2))
                    .permittedNumberOfCallsInHalfOpenState(2)
                    .build())
            .retry(
                "payments",
                RetryConfig.custom()
                    .maxAttempts(2)
                    .waitDuration(Duration.ofMillis(50))
                    .ignoreExceptions(CallNotPermittedException.class)
                    .build())
            .metrics(metrics.registry())
            .build();
    closing.add(0, resilience);
    // "Instant book" rolls out in stages, and halts itself (rolling back) if payments start
    // failing.
    this.rollouts = Rollouts.builder(flags).build();
    closing.add(0, rollouts);
    try {
      rollouts.start(
          RolloutPlan.builder("instant-book")
              .steps(10, 30, 60, 100)
              .every(Duration.ofMinutes(10))
              .guard(
                  RolloutGuard.when(
                      "the payment API's breaker is open",
                      () ->
                          resilience.circuitBreaker("payments").getState()
                              == io.github.resilience4j.circuitbreaker.CircuitBreaker.State.OPEN))
              .build());
    } catch (dev.brownout.state.StateException e) {
      // the store is down at start: the plan starts when another server, or a restart, sees it up
    }
    Payments payments =
        GuardedProxies.builder()
            .add(resilience.guards())
            .build()
            .proxy(Payments.class, new HttpPayments(options.payments()));
    DataSource db = WritePathDataSource.wrap(options.database(), writePath);
    closing.add(0, new PendingCharges(db, payments, readMode));

    site = new Server();
    ServerConnector connector = new ServerConnector(site);
    connector.setHost("127.0.0.1");
    connector.setPort(options.sitePort());
    site.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    context.addFilter(
        new FilterHolder(sessions.filter()), "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addFilter(
        new FilterHolder(
            new ReadModeFilter(readMode, List.of("/signin", "/signout"), Duration.ofSeconds(5))),
        "/*",
        EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(
        new ServletHolder(new BookingSite(db, payments, flags, readMode, options.name())), "/*");
    site.setHandler(context);
    site.start();
    closing.add(0, site::stop);

    List<dev.brownout.core.admin.AdminRoute> routes = new ArrayList<>(flags.adminRoutes());
    routes.addAll(readMode.adminRoutes());
    routes.addAll(resilience.adminRoutes());
    AdminApi api = AdminApi.builder().configure(config).metrics(metrics).routes(routes).build();
    this.admin = AdminServer.start(api, config);
    closing.add(0, admin);
  }

  /**
   * Starts a server.
   *
   * @throws IllegalArgumentException if the store is not one this demo knows
   */
  public static BookingApp start(Options options) {
    try {
      return new BookingApp(options);
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the booking site: " + e.getMessage(), e);
    }
  }

  /** Opens the store a {@code --store} value names. */
  static StateStore openStore(String store, String table) {
    if (store.equals("memory")) {
      return InMemoryStateStore.create();
    }
    URI uri = URI.create(store);
    switch (String.valueOf(uri.getScheme())) {
      case "redis", "rediss" -> {
        return RedisStateStore.builder()
            .uri(store)
            .timeout(Duration.ofMillis(500))
            .connectLazily()
            .build();
      }
      case "dynamodb" -> {
        if (uri.getHost() == null || uri.getPort() < 0) {
          throw new IllegalArgumentException(
              "--store dynamodb://host:port names a DynamoDB endpoint, such as"
                  + " dynamodb://localhost:8000 for DynamoDB Local; got '"
                  + store
                  + "'");
        }
        DynamoDbStateStore dynamo =
            DynamoDbStateStore.builder()
                .endpoint(URI.create("http://" + uri.getHost() + ":" + uri.getPort()))
                .table(table)
                .timeout(Duration.ofSeconds(3))
                .build();
        DynamoDbStateStore.createTable(dynamo.client(), table);
        return dynamo;
      }
      default ->
          throw new IllegalArgumentException(
              "--store must be memory, redis://host:port or dynamodb://host:port; got '"
                  + store
                  + "'");
    }
  }

  /** The site's address. */
  public URI siteUri() {
    return URI.create(
        "http://127.0.0.1:" + ((ServerConnector) site.getConnectors()[0]).getLocalPort() + "/");
  }

  /** The admin server. */
  public AdminServer admin() {
    return admin;
  }

  /** The flags. */
  public Flags flags() {
    return flags;
  }

  /** The read mode. */
  public ReadMode readMode() {
    return readMode;
  }

  /** The staged rollouts. */
  public Rollouts rollouts() {
    return rollouts;
  }

  /** The breakers. */
  public Resilience resilience() {
    return resilience;
  }

  @Override
  public void close() {
    for (AutoCloseable c : closing) {
      try {
        c.close();
      } catch (Exception e) {
        // closing everything matters more than the first failure
      }
    }
  }
}
