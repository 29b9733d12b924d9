package dev.brownout.benchmarks;

import dev.brownout.state.testservers.RedisTestServer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts what {@link SessionBenchmark}'s workloads send Redis, from the server's own {@code INFO
 * commandstats}: commands per request, split into what the client sent and what Brownout's Lua
 * scripts ran inside their one {@code EVALSHA}. Writes {@code session-commands.json}.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar
 * dev.brownout.benchmarks.SessionCommandCount benchmarks/results/session-commands.json}
 */
public final class SessionCommandCount {
  private static final int REQUESTS = 1000;

  private SessionCommandCount() {}

  /** Counts, prints, writes the JSON to {@code args[0]}. */
  public static void main(String[] args) throws IOException {
    List<String> rows = new ArrayList<>();
    for (String library :
        List.of(
            "brownout", "brownout-near-cache", "brownout-near-cache-2-servers", "spring-session")) {
      for (String workload : List.of("changed", "unchanged")) {
        try (RedisTestServer redis = new RedisTestServer();
            SessionBenchmark.Workload work =
                SessionBenchmark.create(library, redis.uri(), redis.port())) {
          String id = work.newSession();
          for (int i = 0; i < 100; i++) {
            run(work, id, workload, i);
          }
          Map<String, Long> before = redis.commandCounts();
          for (int i = 0; i < REQUESTS; i++) {
            run(work, id, workload, i);
          }
          Map<String, Long> delta =
              new TreeMap<>(RedisTestServer.delta(before, redis.commandCounts()));
          long total = delta.values().stream().mapToLong(Long::longValue).sum();
          long scripted =
              delta.entrySet().stream()
                  .filter(
                      e ->
                          library.startsWith("brownout")
                              && RedisTestServer.SCRIPT_COMMANDS.contains(e.getKey()))
                  .mapToLong(Map.Entry::getValue)
                  .sum();
          double sent = (total - scripted) / (double) REQUESTS;
          double all = total / (double) REQUESTS;
          System.out.printf(
              "%-29s %-9s sent %.2f commands/request (%.2f counting script-internal) %s%n",
              library, workload, sent, all, delta);
          rows.add(
              String.format(
                  "  {\"library\": \"%s\", \"workload\": \"%s\", \"sentPerRequest\": %.3f,"
                      + " \"allPerRequest\": %.3f, \"commands\": \"%s\"}",
                  library, workload, sent, all, delta));
        }
      }
    }
    ResultsFile.write(args, rows);
  }

  private static void run(SessionBenchmark.Workload work, String id, String workload, int step) {
    if (workload.equals("changed")) {
      work.changed(id, step);
    } else {
      work.unchanged(id);
    }
  }
}
