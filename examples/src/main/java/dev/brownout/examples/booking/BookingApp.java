package dev.brownout.examples.booking;

import dev.brownout.admin.AdminServer;
import dev.brownout.core.admin.AdminApi;
import dev.brownout.core.admin.AdminRoute;
import dev.brownout.core.admin.AuditSink;
import dev.brownout.core.admin.LogAuditSink;
import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.guard.GuardedProxies;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.degrade.FaultInjection;
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
import dev.brownout.session.Sessions;
import dev.brownout.session.StoreDownPolicy;
import dev.brownout.state.InMemoryStateStore;
import dev.brownout.state.StateAuditSink;
import dev.brownout.state.StateException;
import dev.brownout.state.StateStore;
import dev.brownout.state.dynamodb.DynamoDbStateStore;
import dev.brownout.state.redis.RedisStateStore;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
 *   <li>two payment providers in a failover chain ({@link Checkout}): each attempt bounded by a
 *       timeout, each provider behind its own breaker, the secondary asked only when the primary
 *       certainly did not charge, "pay later" when neither did, and one idempotency key per booking
 *       for every attempt; the later charges are taken once a provider answers ({@link
 *       PendingCharges});
 *   <li>"instant book" in a staged rollout (10, 30, 60, 100% every ten minutes) that halts itself
 *       while a payment provider's breaker is open.
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
   * @param payments the payment providers' APIs, primary first
   */
  public record Options(
      String name,
      int sitePort,
      BrownoutConfig config,
      String store,
      String table,
      Database database,
      List<URI> payments) {
    /** Checks the options. */
    public Options {
      payments = List.copyOf(payments);
      if (payments.isEmpty()) {
        throw new IllegalArgumentException("the booking site needs at least one payment provider");
      }
    }
  }

  /** How long one attempt at a payment provider may take ({@code payments} timeout). */
  public static final Duration PAYMENT_TIMEOUT = Duration.ofMillis(800);

  /** The payment providers' names, in failover order: primary, secondary, then numbered. */
  public static String providerName(int index) {
    return switch (index) {
      case 0 -> "primary";
      case 1 -> "secondary";
      default -> "provider-" + (index + 1);
    };
  }

  private final List<AutoCloseable> closing = new ArrayList<>();
  private final Server site;
  private final AdminServer admin;
  private final Flags flags;
  private final ReadMode readMode;
  private final Resilience resilience;
  private final FaultInjection faults;
  private final Rollouts rollouts;
  private final Sessions sessions;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<String> providers = new ArrayList<>();
  private final StateStore store;

  private BookingApp(Options options) throws Exception {
    BrownoutConfig config = options.config();
    BrownoutMetrics metrics = BrownoutMetrics.of(registry, config);
    // Redis announces every change, so servers can cache sessions and keep serving them while it
    // is down; DynamoDB cannot announce changes to sessions, so it is read every time.
    boolean redis = options.store().startsWith("redis");
    this.store = closing(openStore(options.store(), options.table()));

    this.flags = closing(Flags.builder(store).config(config).metrics(metrics).build());
    this.readMode =
        closing(
            ReadMode.builder(store)
                .config(config)
                // Its own write-path reason (auto:write-path:<name>): one server's database trouble
                // browns out that server, and ends with its own probe.
                .serverId(options.name())
                .metrics(metrics)
                .build());
    this.sessions =
        closing(
            Sessions.builder(store)
                .config(config)
                // On Redis, signed-in users keep going through its outages.
                .nearCacheSize(redis ? 10_000 : 0)
                .storeDown(redis ? StoreDownPolicy.SERVE_CACHED : StoreDownPolicy.FAIL_CLOSED)
                .metrics(metrics)
                .build());
    WritePath writePath =
        closing(
            WritePath.builder(
                    readMode, WritePathDataSource.probe(options.database(), Duration.ofSeconds(1)))
                .config(config)
                .probeInterval(Duration.ofMillis(500))
                .lease(Duration.ofSeconds(10))
                .message(
                    "Bookings are paused for a moment while our database recovers;"
                        + " you can keep browsing.")
                .metrics(metrics)
                .build());
    Resilience.Builder guards =
        Resilience.builder(store).timeout(PaymentProvider.TIMEOUT, PAYMENT_TIMEOUT);
    for (int i = 0; i < options.payments().size(); i++) {
      providers.add(providerName(i));
      guards.circuitBreaker(providerName(i), providerBreaker());
    }
    this.resilience = closing(guards.config(config).metrics(metrics).build());
    this.rollouts = closing(Rollouts.builder(flags).config(config).metrics(metrics).build());
    startInstantBookRollout();

    // The fleet's audit trail, kept in the store: each server's admin API shows every server's
    // changes, and the end of an experiment, which the first server to notice it records.
    AuditSink audit = AuditSink.allOf(new StateAuditSink(store), new LogAuditSink());
    // Game days: faults injected into the payment calls, started and stopped by an operator, and
    // ending by themselves on every server.
    this.faults =
        closing(
            FaultInjection.builder(store).config(config).metrics(metrics).auditSink(audit).build());
    GuardedProxies timed =
        GuardedProxies.builder().add(resilience.guards()).add(faults.guards()).build();
    List<PaymentProvider> chain = new ArrayList<>();
    for (int i = 0; i < options.payments().size(); i++) {
      chain.add(
          new PaymentProvider(
              providerName(i),
              new HttpPayments(providerName(i), options.payments().get(i)),
              timed));
    }
    Checkout checkout = new Checkout(resilience, chain);
    DataSource db = WritePathDataSource.wrap(options.database(), writePath);
    closing(new PendingCharges(db, checkout, readMode));

    this.site =
        startSite(
            options.sitePort(),
            sessions,
            new ReadModeFilter(readMode, List.of("/signin", "/signout"), Duration.ofSeconds(5)),
            new BookingSite(db, checkout, flags, readMode, options.name()));
    closing(site::stop);

    List<AdminRoute> routes = new ArrayList<>(flags.adminRoutes());
    routes.addAll(readMode.adminRoutes());
    routes.addAll(resilience.adminRoutes());
    routes.addAll(faults.adminRoutes());
    AdminApi api =
        AdminApi.builder().config(config).metrics(metrics).auditSink(audit).routes(routes).build();
    this.admin = closing(AdminServer.builder(api).config(config).metrics(metrics).start());
  }

  /**
   * Each payment provider's breaker: opens at half of the last ten calls failing (five at least),
   * tries again after two seconds. A declined card is the customer's problem, not the provider
   * failing, so it does not count.
   */
  static CircuitBreakerConfig providerBreaker() {
    return CircuitBreakerConfig.custom()
        .slidingWindowSize(10)
        .minimumNumberOfCalls(5)
        .failureRateThreshold(50)
        .waitDurationInOpenState(Duration.ofSeconds(2))
        .permittedNumberOfCallsInHalfOpenState(2)
        .ignoreExceptions(PaymentDeclinedException.class)
        .build();
  }

  /** Keeps {@code resource} to close, last opened first, and returns it. */
  private <T extends AutoCloseable> T closing(T resource) {
    closing.add(0, resource);
    return resource;
  }

  /**
   * "Instant book" rolls out in stages (10, 30, 60, 100% every ten minutes), and halts itself,
   * rolling back, if a payment provider's breaker opens. Whichever server sees the store first
   * creates the flag and starts the plan; a store that is down at start leaves that to the others,
   * or to a restart.
   */
  private void startInstantBookRollout() {
    try {
      flags.admin().create(FlagDefinition.rollout("instant-book", 30));
    } catch (FlagConflictException e) {
      // another server created it first
    } catch (StateException e) {
      return;
    }
    try {
      rollouts.start(
          RolloutPlan.builder("instant-book")
              .steps(10, 30, 60, 100)
              .every(Duration.ofMinutes(10))
              .guard(
                  RolloutGuard.when(
                      "a payment provider's breaker is open",
                      () ->
                          providers.stream()
                              .anyMatch(
                                  p ->
                                      resilience.circuitBreaker(p).getState()
                                          == CircuitBreaker.State.OPEN)))
              .build());
    } catch (StateException e) {
      // the store is down at start: the plan starts when another server, or a restart, sees it up
    }
  }

  private static Server startSite(
      int port, Sessions sessions, ReadModeFilter gate, BookingSite servlet) throws Exception {
    Server site = new Server();
    ServerConnector connector = new ServerConnector(site);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    site.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    EnumSet<DispatcherType> requests = EnumSet.of(DispatcherType.REQUEST);
    context.addFilter(new FilterHolder(sessions.filter()), "/*", requests);
    context.addFilter(new FilterHolder(gate), "/*", requests);
    context.addServlet(new ServletHolder(servlet), "/*");
    site.setHandler(context);
    site.start();
    return site;
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

  /** The breakers, timeouts and failover chain. */
  public Resilience resilience() {
    return resilience;
  }

  /** The game-day fault injection into the payment calls. */
  public FaultInjection faults() {
    return faults;
  }

  /** The payment providers' names, primary first; each is also its breaker's name. */
  public List<String> paymentProviders() {
    return List.copyOf(providers);
  }

  /** The sessions. */
  public Sessions sessions() {
    return sessions;
  }

  /** This server's meters. */
  public MeterRegistry meters() {
    return registry;
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
