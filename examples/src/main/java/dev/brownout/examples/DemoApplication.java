package dev.brownout.examples;

import dev.brownout.core.admin.AdminApi;
import dev.brownout.core.admin.AdminServer;
import dev.brownout.core.admin.BearerTokenAuthenticator;
import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.config.ConfigurationException;
import dev.brownout.core.config.CoreConfig;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The demo application started by {@code ./examples/demo}: Brownout's admin server on the in-memory
 * defaults, with one small resource to read and change through the admin API. Later issues grow it
 * into the booking application with its outage drill.
 */
public final class DemoApplication implements AutoCloseable {
  private final AdminServer server;
  private final String token;

  private DemoApplication(AdminServer server, String token) {
    this.server = server;
    this.token = token;
  }

  /**
   * Starts the demo. Configuration comes from the usual layers ({@code BROWNOUT_*} variables,
   * {@code -Dbrownout.*} properties) plus {@code overrides}; if no write token is configured, one
   * is generated.
   */
  public static DemoApplication start(List<String> overrides) {
    BrownoutConfig.Builder builder =
        BrownoutConfig.builder().discoverDeclarations().standardSources();
    for (String override : overrides) {
      int equals = override.indexOf('=');
      builder.set(override.substring(0, equals), override.substring(equals + 1));
    }
    BrownoutConfig config = builder.build();
    List<String> writeTokens = config.get(CoreConfig.ADMIN_WRITE_TOKENS);
    String token =
        writeTokens.isEmpty() ? BearerTokenAuthenticator.generateToken() : writeTokens.get(0);
    if (writeTokens.isEmpty()) {
      config = builder.set(CoreConfig.ADMIN_WRITE_TOKENS, List.of(token)).build();
    }
    AdminApi api =
        AdminApi.builder().configure(config).routes(new GreetingRoutes().routes()).build();
    return new DemoApplication(AdminServer.start(api, config), token);
  }

  /** The admin server. */
  public AdminServer server() {
    return server;
  }

  /** The write token callers use. */
  public String token() {
    return token;
  }

  @Override
  public void close() {
    server.close();
  }

  /** Runs the demo until interrupted. */
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
    DemoApplication app;
    try {
      app = start(options.overrides());
    } catch (ConfigurationException e) {
      System.err.println("demo: " + e.getMessage());
      System.exit(2);
      return;
    } catch (java.io.UncheckedIOException e) {
      System.err.println("demo: " + e.getMessage() + " (choose another port with --admin-port)");
      System.exit(1);
      return;
    }
    String api = app.server().uri().resolve(AdminApi.API_ROOT.substring(1)).toString();
    out.println("Brownout demo is running (in-memory store).");
    out.println();
    out.println("  Admin API:    " + api);
    out.println("  Admin token:  " + app.token());
    out.println();
    out.println("  Try it:");
    out.println("    curl -s -H 'Authorization: Bearer " + app.token() + "' " + api);
    out.println(
        "    curl -s -X PUT -H 'Authorization: Bearer "
            + app.token()
            + "' -H 'Content-Type: application/json' \\");
    out.println(
        "         -H 'Brownout-Reason: trying the demo' -d '{\"text\":\"Hello from Brownout\"}' "
            + api
            + "/demo/greeting");
    out.println("    curl -s -H 'Authorization: Bearer " + app.token() + "' " + api + "/audit");
    out.println();
    out.println("Press Ctrl+C to stop.");
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  app.close();
                  stopped.countDown();
                },
                "brownout-demo-shutdown"));
    stopped.await();
  }
}
