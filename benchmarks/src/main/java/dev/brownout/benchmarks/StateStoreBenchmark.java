package dev.brownout.benchmarks;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import dev.brownout.state.InMemoryStateStore;
import dev.brownout.state.Namespace;
import dev.brownout.state.NearCache;
import dev.brownout.state.StateRecord;
import dev.brownout.state.StateStore;
import dev.brownout.state.Update;
import dev.brownout.state.WriteResult;
import dev.brownout.state.dynamodb.DynamoDbStateStore;
import dev.brownout.state.redis.RedisStateStore;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import redis.embedded.RedisServer;

/**
 * The cost of one store operation, one caller, on each store: in memory, a real Redis on loopback
 * (the redis-server bundled in embedded-redis), DynamoDB Local in the benchmark JVM, and the near
 * cache's hit path in front of Redis. The record read is 2 KB in five fields; an update sets one
 * 100-byte field.
 *
 * <p>Run: {@code benchmarks/run StateStoreBenchmark state} (writes {@code
 * benchmarks/results/state.json}). Redis and DynamoDB Local share the machine with the benchmark,
 * so their figures are loopback latencies, not production ones; compare stores within one run.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class StateStoreBenchmark {
  private static final Namespace NAMESPACE = Namespace.small("bench");

  /** Which store. */
  @Param({"memory", "redis", "dynamodb", "near-cache-redis"})
  public String store;

  private StateStore target;
  private RedisServer redis;
  private DynamoDBProxyServer dynamo;
  private byte[] small;

  /** Starts the server the store needs and writes the record read by the read benchmark. */
  @Setup
  public void setUp() throws Exception {
    target =
        switch (store) {
          case "memory" -> InMemoryStateStore.create();
          case "redis" -> RedisStateStore.builder().uri(startRedis()).build();
          case "near-cache-redis" ->
              NearCache.builder(RedisStateStore.builder().uri(startRedis()).build()).build();
          case "dynamodb" -> startDynamo();
          default -> throw new IllegalArgumentException("unknown store " + store);
        };
    Update.Builder record = Update.builder();
    for (int i = 0; i < 5; i++) {
      record.set("field-" + i, new byte[400]);
    }
    target.update(NAMESPACE, "record", record.build());
    small = new byte[100];
  }

  private String startRedis() throws IOException {
    int port = freePort();
    redis =
        RedisServer.newRedisServer()
            .bind("127.0.0.1")
            .port(port)
            .setting("save \"\"")
            .setting("appendonly no")
            .build();
    redis.start();
    return "redis://127.0.0.1:" + port;
  }

  private StateStore startDynamo() throws Exception {
    if (System.getProperty("sqlite4java.library.path") == null) {
      System.setProperty(
          "sqlite4java.library.path",
          Path.of("benchmarks/target/native-libs").toAbsolutePath().toString());
    }
    int port = freePort();
    dynamo =
        ServerRunner.createServerFromCommandLineArgs(
            new String[] {"-inMemory", "-port", Integer.toString(port)});
    dynamo.start();
    DynamoDbStateStore store =
        DynamoDbStateStore.builder()
            .endpoint(URI.create("http://127.0.0.1:" + port))
            .table("bench")
            .timeout(Duration.ofSeconds(10))
            .build();
    DynamoDbStateStore.createTable(store.client(), "bench");
    return store;
  }

  /** Stops the store and its server. */
  @TearDown
  public void tearDown() throws Exception {
    target.close();
    if (redis != null) {
      redis.stop();
    }
    if (dynamo != null) {
      dynamo.stop();
    }
  }

  /** A point read of the 2 KB record. */
  @Benchmark
  public Optional<StateRecord> read() {
    return target.read(NAMESPACE, "record");
  }

  /** An atomic update that sets one field. */
  @Benchmark
  public WriteResult update() {
    return target.update(NAMESPACE, "counter", Update.builder().set("value", small).build());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
