package dev.brownout.examples;

import dev.brownout.core.admin.AdminApi;
import dev.brownout.core.admin.AdminServer;
import dev.brownout.core.admin.BearerTokenAuthenticator;
import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.config.ConfigurationException;
import dev.brownout.core.config.CoreConfig;
import dev.brownout.flags.FlagDefinition;
import dev.brownout.flags.Flags;
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
  private final Flags flags;

  private DemoApplication(AdminServer server, String token, Flags flags) {
    this.server = server;
    this.token = token;
    this.flags = flags;
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
    // The embedded default: flags in memory. A new feature, "instant-book", starts at 30% of users.
    Flags flags = Flags.builder().build();
    flags.admin().create(FlagDefinition.rollout("instant-book", 30));
    AdminApi api =
        AdminApi.builder()
            .configure(config)
            .routes(new GreetingRoutes(flags).routes())
            .routes(flags.adminRoutes())
            .build();
    return new DemoApplication(AdminServer.start(api, config), token, flags);
  }

  /** The admin server. */
  public AdminServer server() {
    return server;
  }

  /** The demo's feature flags. */
  public Flags flags() {
    return flags;
  }

  /** The write token callers use. */
  public String token() {
    return token;
  }

  @Override
  public void close() {
    server.close();
    flags.close();
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
    String auth = "-H 'Authorization: Bearer " + app.token() + "'";
    out.println("  Try it:");
    out.println("    # every admin route");
    out.println("    curl -s " + auth + " " + api);
    out.println(
        "    # the greeting, and whether the new 'instant-book' feature (30% rollout) is on for ada");
    out.println("    curl -s " + auth + " '" + api + "/demo/greeting?user=ada'");
    out.println("    # kill the feature for everyone, saying why");
    out.println(
        "    curl -s -X PATCH "
            + auth
            + " -H 'Content-Type: application/json' -H 'Brownout-Reason: trying the kill switch' -d '{\"enabled\":false}' "
            + api
            + "/flags/instant-book");
    out.println("    # who changed what, and why");
    out.println("    curl -s " + auth + " " + api + "/audit");
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
