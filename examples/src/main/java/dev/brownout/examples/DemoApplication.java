package dev.brownout.examples;

import dev.brownout.core.admin.AdminApi;
import dev.brownout.core.admin.BearerTokenAuthenticator;
import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.config.ConfigurationException;
import dev.brownout.core.config.CoreConfig;
import dev.brownout.degrade.DegradeConfig;
import dev.brownout.examples.booking.BookingApp;
import dev.brownout.examples.booking.Database;
import dev.brownout.examples.booking.PaymentService;
import dev.brownout.examples.drill.Drill;
import java.io.PrintStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The demo started by {@code ./examples/demo}: the Brownout stays booking site with its admin API,
 * its database (embedded H2 by default) and a bundled payment API, on the store the options name
 * (memory by default). {@code ./examples/demo drill} runs the {@link Drill} instead.
 */
public final class DemoApplication implements AutoCloseable {
  private final BookingApp app;
  private final List<PaymentService> payments;
  private final String token;
  private final String store;

  private DemoApplication(
      BookingApp app, List<PaymentService> payments, String token, String store) {
    this.app = app;
    this.payments = payments;
    this.token = token;
    this.store = store;
  }

  /** Brownout's configuration from the usual layers plus {@code overrides}, with a write token. */
  public static BrownoutConfig config(List<String> overrides) {
    BrownoutConfig.Builder builder = BrownoutConfig.builder().standardSources();
    for (String override : overrides) {
      int equals = override.indexOf('=');
      builder.set(override.substring(0, equals), override.substring(equals + 1));
    }
    BrownoutConfig config = builder.build();
    // A demo is where game days are rehearsed: fault injection is on unless set otherwise (an
    // application must turn it on itself).
    if (config.origin(DegradeConfig.FAULTS_ENABLED).equals("default")) {
      config = builder.set(DegradeConfig.FAULTS_ENABLED, true).build();
    }
    if (config.get(CoreConfig.ADMIN_WRITE_TOKENS).isEmpty()) {
      config =
          builder
              .set(CoreConfig.ADMIN_WRITE_TOKENS, List.of(BearerTokenAuthenticator.generateToken()))
              .build();
    }
    return config;
  }

  /** Starts the demo as {@code options} say. */
  public static DemoApplication start(DemoOptions options) {
    BrownoutConfig config = config(options.overrides());
    List<PaymentService> payments = new ArrayList<>();
    List<URI> paymentsUris = new ArrayList<>();
    if (options.payments().isEmpty()) {
      for (int i = 0; i < 2; i++) {
        PaymentService service = PaymentService.start(BookingApp.providerName(i), 0);
        payments.add(service);
        paymentsUris.add(service.uri());
      }
    } else {
      options.payments().forEach(url -> paymentsUris.add(URI.create(url)));
    }
    Database database =
        Database.open(
            options.database() != null
                ? options.database()
                : "jdbc:h2:mem:bookings-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
    try {
      BookingApp app =
          BookingApp.start(
              new BookingApp.Options(
                  "server-1",
                  options.sitePort(),
                  config,
                  options.store(),
                  options.table(),
                  database,
                  paymentsUris));
      return new DemoApplication(
          app, payments, config.get(CoreConfig.ADMIN_WRITE_TOKENS).get(0), options.store());
    } catch (RuntimeException e) {
      payments.forEach(PaymentService::close);
      throw e;
    }
  }

  /** Starts the demo with the defaults and these options, for tests. */
  static DemoApplication start(String... args) {
    return start(DemoOptions.parse(args));
  }

  /** The booking app. */
  public BookingApp app() {
    return app;
  }

  /** The bundled payment providers, primary first; empty when {@code --payments} named others. */
  public List<PaymentService> paymentServices() {
    return List.copyOf(payments);
  }

  /** The write token callers use. */
  public String token() {
    return token;
  }

  @Override
  public void close() {
    app.close();
    payments.forEach(PaymentService::close);
  }

  /** Runs the demo, or the drill, until interrupted. */
  public static void main(String[] args) throws InterruptedException {
    PrintStream out = System.out;
    DemoOptions options;
    try {
      options = DemoOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("demo: " + e.getMessage());
      System.err.println("Run ./examples/demo --help for the options.");
      System.exit(2);
      return;
    }
    if (options.help()) {
      out.print(DemoOptions.HELP);
      return;
    }
    if (options.drill()) {
      System.exit(Drill.run(options.stepSeconds(), out) ? 0 : 1);
      return;
    }
    DemoApplication demo;
    try {
      demo = start(options);
    } catch (ConfigurationException | IllegalArgumentException e) {
      System.err.println("demo: " + e.getMessage());
      System.exit(2);
      return;
    } catch (RuntimeException e) {
      System.err.println(
          "demo: "
              + e.getMessage()
              + " (is the port taken? choose others with --site-port and --admin-port)");
      System.exit(1);
      return;
    }
    for (String line : demo.instructions()) {
      out.println(line);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  demo.close();
                  stopped.countDown();
                },
                "brownout-demo-shutdown"));
    stopped.await();
  }

  /** What the demo prints at start: where things are, and what to try. */
  List<String> instructions() {
    String site = app.siteUri().toString();
    String api = app.admin().uri().resolve(AdminApi.API_ROOT.substring(1)).toString();
    String auth = "-H 'Authorization: Bearer " + token + "'";
    List<String> lines = new ArrayList<>();
    lines.add("Brownout stays is running (" + store + " store).");
    lines.add("");
    lines.add("  Site:         " + site + "listings");
    lines.add("  Admin API:    " + api);
    lines.add("  Admin token:  " + token);
    lines.add("  Console:      " + app.admin().uri().resolve("console") + "  (paste the token)");
    for (PaymentService service : payments) {
      lines.add("  Payments:     " + service.uri() + "  (" + service.name() + ", bundled)");
    }
    lines.add("");
    lines.add("  Try it (examples/README.md walks through more):");
    lines.add("    # sign in and book a stay; the session cookie goes in jar.txt");
    lines.add("    curl -s -c jar.txt -b jar.txt -d user=ada " + site + "signin");
    lines.add("    curl -s -c jar.txt -b jar.txt -d listing=3 -d nights=2 " + site + "bookings");
    lines.add(
        "    # a guest whose card the providers decline: 402, nothing charged, nothing retried");
    lines.add(
        "    curl -s -c declined.txt -b declined.txt -d user=declined-dan " + site + "signin");
    lines.add(
        "    curl -s -c declined.txt -b declined.txt -d listing=3 -d nights=2 "
            + site
            + "bookings");
    lines.add("    # put the site in browse-only mode, saying why; browsing still works");
    lines.add(
        "    curl -s -X PUT "
            + auth
            + " -H 'Content-Type: application/json' -d"
            + " '{\"kind\":\"maintenance\",\"message\":\"Moving databases.\"}' "
            + api
            + "/read-mode/reasons/db-move");
    lines.add("    curl -s -i -c jar.txt -b jar.txt -d listing=3 -d nights=2 " + site + "bookings");
    lines.add("    curl -s -X DELETE " + auth + " " + api + "/read-mode/reasons/db-move");
    lines.add(
        "    # kill the new 'instant-book' feature (a staged rollout, now at 10%) for everyone");
    lines.add(
        "    curl -s -X PATCH "
            + auth
            + " -H 'Content-Type: application/json' -H 'Brownout-Reason: trying the kill switch'"
            + " -d '{\"enabled\":false}' "
            + api
            + "/flags/instant-book");
    lines.add("    # who changed what, and why");
    lines.add("    curl -s " + auth + " " + api + "/audit");
    lines.add("");
    lines.add("Press Ctrl+C to stop.");
    return lines;
  }
}
