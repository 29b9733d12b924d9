package dev.brownout.examples;

import java.util.ArrayList;
import java.util.List;

/**
 * The demo's command line.
 *
 * @param help whether to print the help and stop
 * @param overrides configuration set by options, as {@code key=value}
 */
record DemoOptions(boolean help, List<String> overrides) {
  static final String HELP =
      """
      Usage: ./examples/demo [options]

      Starts the Brownout demo application on the in-memory store and prints its admin URL and token.

      Options:
        --admin-port N      port of the admin API (default 9099; 0 picks a free port)
        --admin-token T     use this write token instead of generating one (at least 16 characters)
        --help              print this help

      Any Brownout setting can also be given as an environment variable (BROWNOUT_ADMIN_PORT=9100)
      or a system property (JAVA_TOOL_OPTIONS=-Dbrownout.admin.port=9100).
      """;

  static DemoOptions parse(String[] args) {
    List<String> overrides = new ArrayList<>();
    boolean help = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--help", "-h" -> help = true;
        case "--admin-port" -> overrides.add("brownout.admin.port=" + value(args, ++i, arg));
        case "--admin-token" ->
            overrides.add("brownout.admin.write-tokens=" + value(args, ++i, arg));
        default -> throw new IllegalArgumentException("unknown option '" + arg + "'");
      }
    }
    return new DemoOptions(help, List.copyOf(overrides));
  }

  private static String value(String[] args, int index, String option) {
    if (index >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[index];
  }
}
