package dev.brownout.benchmarks;

import dev.brownout.state.testservers.RedisTestServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where {@link SessionBenchmark}'s throughput goes: the CPU time one request costs the application
 * server (this JVM: Brownout or Spring Session, Lettuce, Netty and the kernel under them) and the
 * CPU time it costs Redis, measured over a timed run of the same workloads on 8 threads. CPU time
 * per request is steadier than throughput on a small shared machine, and says what a fleet of
 * application servers would pay. A third row, {@link TwoRoundTrips}, makes Brownout's round trips
 * with nothing else, as the floor this machine allows. Writes {@code session-cpu.json}.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.brownout.benchmarks.SessionCpuCost
 * benchmarks/results/session-cpu.json}
 */
public final class SessionCpuCost {
  private static final int THREADS = 8;
  private static final int WARMUP_SECONDS = 20;
  private static final int MEASURE_SECONDS = 10;

  /** The third row: Brownout's round trips with no session library at all. */
  static final String FLOOR = "lettuce-floor";

  private SessionCpuCost() {}

  /**
   * The floor under Brownout's design on this machine: the same Lettuce connection making the same
   * round trips, {@code HGETALL} then one {@code EVALSHA} of a script that reads two fields and
   * sets two, with no session code, no codec and no checks. What Brownout costs above this row is
   * its own work; what Spring Session costs above it is mostly its two extra round trips.
   */
  static final class TwoRoundTrips implements SessionBenchmark.Workload {
    private static final String SCRIPT =
        "redis.call('HMGET', KEYS[1], '_v', ARGV[1]);"
            + " redis.call('HSET', KEYS[1], '_v', ARGV[2], ARGV[1], ARGV[2]); return 1";
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final String sha;
    private final AtomicLong ids = new AtomicLong();

    TwoRoundTrips(String uri) {
      client = RedisClient.create(uri);
      connection = client.connect();
      connection.setTimeout(Duration.ofSeconds(5));
      sha = connection.sync().scriptLoad(SCRIPT);
    }

    @Override
    public String newSession() {
      String id = "floor:" + ids.incrementAndGet();
      connection.sync().hset(id, Map.of("_v", "1", "profile", SessionBenchmark.PROFILE));
      return id;
    }

    @Override
    public Object changed(String id, long step) {
      connection.sync().hgetall(id);
      return connection
          .sync()
          .evalsha(sha, ScriptOutputType.INTEGER, new String[] {id}, "step", Long.toString(step));
    }

    @Override
    public Object unchanged(String id) {
      return connection.sync().hgetall(id);
    }

    @Override
    public void close() {
      connection.close();
      client.shutdown();
    }
  }

  /** Measures, prints, writes the JSON to {@code args[0]}. */
  public static void main(String[] args) throws Exception {
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    List<String> rows = new ArrayList<>();
    for (String workload : List.of("changed", "unchanged")) {
      for (String library :
          List.of(
              "brownout",
              "brownout-near-cache",
              "brownout-near-cache-2-servers",
              "spring-session",
              FLOOR)) {
        try (RedisTestServer redis = new RedisTestServer();
            SessionBenchmark.Workload work =
                library.equals(FLOOR)
                    ? new TwoRoundTrips(redis.uri())
                    : SessionBenchmark.create(library, redis.uri(), redis.port())) {
          run(work, workload, WARMUP_SECONDS);
          double redisBefore = redis.cpuSeconds();
          long cpuBefore = os.getProcessCpuTime();
          long start = System.nanoTime();
          long requests = run(work, workload, MEASURE_SECONDS);
          double seconds = (System.nanoTime() - start) / 1e9;
          double client = (os.getProcessCpuTime() - cpuBefore) / 1e3 / requests;
          double server = (redis.cpuSeconds() - redisBefore) * 1e6 / requests;
          String row =
              String.format(
                  Locale.ROOT,
                  "  {\"library\": \"%s\", \"workload\": \"%s\", \"threads\": %d,"
                      + " \"requestsPerSecond\": %.0f, \"clientCpuMicrosPerRequest\": %.1f,"
                      + " \"redisCpuMicrosPerRequest\": %.1f}",
                  library,
                  workload,
                  THREADS,
                  requests / seconds,
                  client,
                  server);
          System.out.println(row.trim());
          rows.add(row);
        }
      }
    }
    ResultsFile.write(args, rows);
  }

  /** Runs the workload on {@link #THREADS} users for the given time; returns the requests done. */
  private static long run(SessionBenchmark.Workload work, String workload, int seconds)
      throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<Long>> users = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        users.add(
            pool.submit(
                () -> {
                  String id = work.newSession();
                  long requests = 0;
                  while (!stop.get()) {
                    if (workload.equals("changed")) {
                      work.changed(id, requests);
                    } else {
                      work.unchanged(id);
                    }
                    requests++;
                  }
                  return requests;
                }));
      }
      TimeUnit.SECONDS.sleep(seconds);
      stop.set(true);
      long total = 0;
      for (Future<Long> user : users) {
        total += user.get(30, TimeUnit.SECONDS);
      }
      return total;
    } finally {
      pool.shutdownNow();
    }
  }
}
