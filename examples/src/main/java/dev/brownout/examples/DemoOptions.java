package dev.brownout.examples;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The demo's command line.
 *
 * @param help whether to print the help and stop
 * @param drill whether to run the outage drill instead of serving
 * @param sitePort the site's port
 * @param store {@code memory}, {@code redis://host:port} or {@code dynamodb://host:port}
 * @param table the DynamoDB table
 * @param database a JDBC URL, or null for the embedded H2 database
 * @param payments the payment providers' URLs, primary first, or empty to start the bundled two
 * @param stepSeconds how long each drill step drives traffic
 * @param overrides Brownout configuration set by options, as {@code key=value}
 */
record DemoOptions(
    boolean help,
    boolean drill,
    int sitePort,
    String store,
    String table,
    @Nullable String database,
    List<String> payments,
    int stepSeconds,
    List<String> overrides) {
  static final String HELP =
      """
      Usage: ./examples/demo [drill] [options]

      Starts the Brownout stays booking site and its admin API, and prints their URLs and the
      admin token. With "drill", runs the outage drill instead: two servers on one Redis, two
      payment providers, the database and Redis fail in turn, and it exits 0 only if every
      step behaved as designed and every booking was charged exactly once.

      Options:
        --site-port N       port of the booking site (default 8080; 0 picks a free port)
        --admin-port N      port of the admin API (default 9099; 0 picks a free port)
        --admin-token T     use this write token instead of generating one (at least 16 characters)
        --store S           where sessions, flags and the read mode live: memory (default),
                            redis://host:port, or dynamodb://host:port (DynamoDB or DynamoDB Local)
        --table T           the DynamoDB table for --store dynamodb:// (default brownout; created
                            if missing)
        --db URL            the booking database's JDBC URL (default: an embedded H2 database);
                            its driver must be on the class path
        --payments URL[,URL...]
                            the payment providers, primary first, then the secondary
                            (default: two bundled ones on free ports)
        --step-seconds N    drill only: seconds of traffic per step (default 4)
        --help              print this help

      Any Brownout setting can also be given as an environment variable (BROWNOUT_ADMIN_PORT=9100)
      or a system property (JAVA_TOOL_OPTIONS=-Dbrownout.admin.port=9100).
      """;

  static DemoOptions parse(String[] args) {
    List<String> overrides = new ArrayList<>();
    boolean help = false;
    boolean drill = false;
    int sitePort = 8080;
    String store = "memory";
    String table = "brownout";
    String database = null;
    List<String> payments = List.of();
    int stepSeconds = 4;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--help", "-h" -> help = true;
        case "drill" -> drill = true;
        case "--site-port" -> sitePort = number(value(args, ++i, arg), arg, 0, 65535);
        case "--admin-port" -> overrides.add("brownout.admin.port=" + value(args, ++i, arg));
        case "--admin-token" ->
            overrides.add("brownout.admin.write-tokens=" + value(args, ++i, arg));
        case "--store" -> store = value(args, ++i, arg);
        case "--table" -> table = value(args, ++i, arg);
        case "--db" -> database = value(args, ++i, arg);
        case "--payments" -> payments = urls(value(args, ++i, arg), arg);
        case "--step-seconds" -> stepSeconds = number(value(args, ++i, arg), arg, 1, 600);
        default -> throw new IllegalArgumentException("unknown option '" + arg + "'");
      }
    }
    if (!store.equals("memory")
        && !store.startsWith("redis://")
        && !store.startsWith("rediss://")
        && !store.startsWith("dynamodb://")) {
      throw new IllegalArgumentException(
          "--store must be memory, redis://host:port or dynamodb://host:port, not '" + store + "'");
    }
    if (database != null && !database.startsWith("jdbc:")) {
      throw new IllegalArgumentException(
          "--db must be a JDBC URL (jdbc:…), not '" + database + "'");
    }
    return new DemoOptions(
        help,
        drill,
        sitePort,
        store,
        table,
        database,
        List.copyOf(payments),
        stepSeconds,
        List.copyOf(overrides));
  }

  private static String value(String[] args, int index, String option) {
    if (index >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[index];
  }

  private static List<String> urls(String text, String option) {
    List<String> urls = new ArrayList<>();
    for (String url : text.split(",")) {
      if (!url.startsWith("http://") && !url.startsWith("https://")) {
        throw new IllegalArgumentException(
            option + " takes http:// URLs separated by commas, not '" + url + "'");
      }
      urls.add(url.endsWith("/") ? url : url + "/");
    }
    return urls;
  }

  private static int number(String text, String option, int min, int max) {
    try {
      int value = Integer.parseInt(text);
      if (value < min || value > max) {
        throw new NumberFormatException();
      }
      return value;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          option + " must be a number from " + min + " to " + max + ", not '" + text + "'");
    }
  }
}
