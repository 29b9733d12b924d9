package dev.brownout.benchmarks;

import dev.brownout.session.SessionHandle;
import dev.brownout.session.SessionRepository;
import dev.brownout.session.Sessions;
import dev.brownout.state.redis.RedisStateStore;
import dev.brownout.state.testservers.RedisTestServer;
import java.time.Duration;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.serializer.RedisSerializer;
import org.springframework.session.Session;
import org.springframework.session.data.redis.RedisSessionRepository;

/**
 * One request's session work, against one real Redis on loopback: load a session holding 2 KB,
 * change one attribute, save ({@code changed}); or load and save with no change ({@code
 * unchanged}). Brownout's {@link SessionRepository} against Spring Session's {@link
 * RedisSessionRepository} (Spring Session 4.0, its defaults: JDK serialization, save on {@code
 * save()}), eight threads each (a server handles many requests at once), on one shared connection
 * each.
 *
 * <p>{@code sessions=per-user} (the representative case): each thread is a different user with a
 * session of its own. {@code sessions=shared}: all eight threads change the same session at once,
 * the worst case for Brownout, which detects the concurrent saves (a version check) and merges them
 * instead of letting the last one overwrite the others, as Spring Session does; each conflict costs
 * Brownout a re-read and a second write.
 *
 * <p>Brownout runs three ways: {@code brownout}, its defaults; {@code brownout-near-cache}, with
 * the session near cache on, one server, so every load hits; {@code brownout-near-cache-2-servers},
 * the near cache's worst case: two servers, each with its own store client and cache, and each
 * user's requests alternating between them (a balancer without sticky sessions), so a changed
 * request's load always misses, and every save reaches the other server as a notification it must
 * act on.
 *
 * <p>Run: {@code benchmarks/run SessionBenchmark session}; {@link SessionCommandCount} counts the
 * Redis commands per request of the same workloads.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 5)
@Fork(1)
@Threads(8)
@State(Scope.Benchmark)
public class SessionBenchmark {
  /** Which library. */
  @Param({
    "brownout",
    "brownout-near-cache",
    "brownout-near-cache-2-servers",
    "spring-session",
    "lettuce-floor"
  })
  public String library;

  /** A session per thread ({@code per-user}), or one for all threads ({@code shared}). */
  @Param({"per-user", "shared"})
  public String sessions;

  private String shared;

  private RedisTestServer redis;
  private Workload workload;

  /** One library doing the benchmark's work. */
  interface Workload extends AutoCloseable {
    /** Creates and stores a session holding the 2 KB attribute; returns its id. */
    String newSession();

    /** Loads the session, sets one attribute, saves. */
    Object changed(String id, long step);

    /** Loads the session and saves it unchanged. */
    Object unchanged(String id);

    @Override
    void close();
  }

  static Workload create(String library, String uri, int port) {
    return switch (library) {
      case "brownout" -> new BrownoutWorkload(uri, 0);
      case "brownout-near-cache" -> new BrownoutWorkload(uri, NEAR_CACHE_SIZE);
      case "brownout-near-cache-2-servers" -> new AlternatingServers(uri);
      case "spring-session" -> new SpringWorkload(port);
      // Brownout's two round trips with no session code: the floor of what its design can cost.
      case "lettuce-floor" -> new SessionCpuCost.TwoRoundTrips(uri);
      default -> throw new IllegalArgumentException("unknown library " + library);
    };
  }

  /** Starts Redis and creates the session. */
  @Setup
  public void setUp() {
    redis = new RedisTestServer();
    workload = create(library, redis.uri(), redis.port());
    shared = workload.newSession();
  }

  /** One benchmark thread: a user with a session, or a share of the one session. */
  @State(Scope.Thread)
  public static class Caller {
    String id;
    long step;

    /** Takes a session. */
    @Setup
    public void setUp(SessionBenchmark benchmark) {
      id = benchmark.sessions.equals("shared") ? benchmark.shared : benchmark.workload.newSession();
    }
  }

  /** Stops Redis. */
  @TearDown
  public void tearDown() {
    workload.close();
    redis.close();
  }

  /** Load, change one attribute, save. */
  @Benchmark
  public Object changed(Caller caller) {
    return workload.changed(caller.id, ++caller.step);
  }

  /** Load and save with nothing changed. */
  @Benchmark
  public Object unchanged(Caller caller) {
    return workload.unchanged(caller.id);
  }

  static final String PROFILE = "p".repeat(2048);

  /** {@code brownout.session.near-cache.size} for the {@code brownout-near-cache} rows. */
  static final int NEAR_CACHE_SIZE = 10_000;

  /** Brownout: one read, one atomic delta; an unchanged request writes nothing. */
  static final class BrownoutWorkload implements Workload {
    final RedisStateStore store;
    final Sessions sessions;
    final SessionRepository repository;

    /** With a near cache of {@code nearCacheSize} sessions, or none for 0 (the default). */
    BrownoutWorkload(String uri, int nearCacheSize) {
      store = RedisStateStore.builder().uri(uri).timeout(Duration.ofSeconds(5)).build();
      sessions = Sessions.builder(store).nearCacheSize(nearCacheSize).build();
      repository = sessions.repository();
    }

    @Override
    public String newSession() {
      SessionHandle session =
          repository.create(Duration.ofMinutes(30)).setAttribute("profile", PROFILE);
      session.save();
      return session.id();
    }

    @Override
    public Object changed(String id, long step) {
      SessionHandle session = repository.open(id).orElseThrow();
      session.setAttribute("step", step);
      return session.save();
    }

    @Override
    public Object unchanged(String id) {
      SessionHandle session = repository.open(id).orElseThrow();
      session.attribute("profile");
      return session.save();
    }

    @Override
    public void close() {
      sessions.close();
      store.close();
    }
  }

  /**
   * Two near-cached Brownout servers behind a balancer without sticky sessions: each thread's
   * requests go to one server, then the other.
   */
  static final class AlternatingServers implements Workload {
    final BrownoutWorkload[] servers;
    final ThreadLocal<long[]> requests = ThreadLocal.withInitial(() -> new long[1]);

    AlternatingServers(String uri) {
      servers =
          new BrownoutWorkload[] {
            new BrownoutWorkload(uri, NEAR_CACHE_SIZE), new BrownoutWorkload(uri, NEAR_CACHE_SIZE)
          };
    }

    private BrownoutWorkload next() {
      return servers[(int) (requests.get()[0]++ & 1)];
    }

    @Override
    public String newSession() {
      return servers[0].newSession();
    }

    @Override
    public Object changed(String id, long step) {
      return next().changed(id, step);
    }

    @Override
    public Object unchanged(String id) {
      return next().unchanged(id);
    }

    @Override
    public void close() {
      for (BrownoutWorkload server : servers) {
        server.close();
      }
    }
  }

  /** Spring Session's RedisSessionRepository, as Spring Boot configures it by default. */
  static final class SpringWorkload implements Workload {
    final LettuceConnectionFactory factory;
    final org.springframework.session.SessionRepository<Session> repository;

    @SuppressWarnings("unchecked")
    SpringWorkload(int port) {
      factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", port));
      factory.afterPropertiesSet();
      factory.start();
      RedisTemplate<String, Object> template = new RedisTemplate<>();
      template.setConnectionFactory(factory);
      template.setKeySerializer(RedisSerializer.string());
      template.setHashKeySerializer(RedisSerializer.string());
      template.afterPropertiesSet();
      RedisSessionRepository redisRepository = new RedisSessionRepository(template);
      redisRepository.setDefaultMaxInactiveInterval(Duration.ofMinutes(30));
      // Its session type is not public: use it through the SessionRepository interface.
      repository =
          (org.springframework.session.SessionRepository<Session>)
              (org.springframework.session.SessionRepository<?>) redisRepository;
    }

    @Override
    public String newSession() {
      Session session = repository.createSession();
      session.setAttribute("profile", PROFILE);
      repository.save(session);
      return session.getId();
    }

    @Override
    public Object changed(String id, long step) {
      Session session = repository.findById(id);
      session.setAttribute("step", step);
      repository.save(session);
      return session;
    }

    @Override
    public Object unchanged(String id) {
      Session session = repository.findById(id);
      session.getAttribute("profile");
      repository.save(session);
      return session;
    }

    @Override
    public void close() {
      factory.destroy();
    }
  }
}
