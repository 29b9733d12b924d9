package dev.brownout.degrade;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.jspecify.annotations.Nullable;

/**
 * A bounded load run on loopback: a Jetty server whose every request calls a dependency of {@link
 * #SLOTS} slots and {@link #SERVICE} service time (so its capacity is {@code SLOTS / SERVICE}); a
 * request that finds no slot waits for one, up to {@link #DEPENDENCY_TIMEOUT}, so under overload
 * the dependency's latency rises from 5 ms to 500 ms. An open-loop client sends a fixed number of
 * requests at a fixed rate (extras, search and checkout in equal thirds) and gives up on each after
 * {@link #CLIENT_DEADLINE}, as a user or a front proxy would; a run ends by itself when every
 * request is answered or given up.
 */
final class OverloadLoad {
  static final int SLOTS = 2;
  static final Duration SERVICE = Duration.ofMillis(5);
  static final Duration DEPENDENCY_TIMEOUT = Duration.ofMillis(500);
  static final Duration CLIENT_DEADLINE = Duration.ofMillis(250);
  static final int JETTY_THREADS = 200;

  static final Map<Priority, String> ROUTES =
      Map.of(Priority.LOW, "extras", Priority.NORMAL, "search", Priority.HIGH, "checkout");
  static final Priority[] MIX = {Priority.LOW, Priority.NORMAL, Priority.HIGH};

  /** The requests per second the dependency can serve. */
  static double capacity() {
    return SLOTS * 1e9 / SERVICE.toNanos();
  }

  /** What one priority's requests got. */
  static final class Outcome {
    final ConcurrentLinkedQueue<Long> acceptedNanos = new ConcurrentLinkedQueue<>();
    final List<Long> serverNanos = new ArrayList<>();
    final AtomicInteger sent = new AtomicInteger();
    final AtomicInteger shed = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    final AtomicInteger gaveUp = new AtomicInteger();

    double percentileMillis(double p) {
      return percentile(acceptedNanos, p);
    }

    double serverPercentileMillis(double p) {
      return percentile(serverNanos, p);
    }

    private static double percentile(java.util.Collection<Long> nanos, double p) {
      long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
      if (sorted.length == 0) {
        return Double.NaN;
      }
      int index = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
      return sorted[Math.max(0, index)] / 1e6;
    }
  }

  /** One run's figures. */
  record Result(
      String name,
      double rate,
      double seconds,
      Map<Priority, Outcome> outcomes,
      int peakBusyThreads,
      int peakJvmThreads,
      int finalLimit,
      String loadAverage) {

    int accepted() {
      return outcomes.values().stream().mapToInt(o -> o.acceptedNanos.size()).sum();
    }

    double goodput() {
      return accepted() / seconds;
    }

    double shedShare(Priority priority) {
      Outcome o = outcomes.get(priority);
      return o.sent.get() == 0 ? 0 : o.shed.get() / (double) o.sent.get();
    }

    String summary() {
      StringBuilder text =
          new StringBuilder(
              String.format(
                  Locale.ROOT,
                  "%s: %.0f req/s offered for %.1f s (capacity %.0f); goodput %.0f req/s (%.0f %% of"
                      + " capacity); peak busy server threads %d, peak JVM threads %d; final limit %d;"
                      + " machine load %s%n",
                  name,
                  rate,
                  seconds,
                  capacity(),
                  goodput(),
                  100 * goodput() / capacity(),
                  peakBusyThreads,
                  peakJvmThreads,
                  finalLimit,
                  loadAverage));
      for (Priority priority : MIX) {
        Outcome o = outcomes.get(priority);
        text.append(
            String.format(
                Locale.ROOT,
                "  %-6s sent %5d  accepted %5d  client p50 %6.1f p99 %6.1f ms  server p50 %6.1f p99"
                    + " %6.1f ms  shed %5.1f %%  failed %d  gave up %d%n",
                priority.name().toLowerCase(Locale.ROOT),
                o.sent.get(),
                o.acceptedNanos.size(),
                o.percentileMillis(0.5),
                o.percentileMillis(0.99),
                o.serverPercentileMillis(0.5),
                o.serverPercentileMillis(0.99),
                100 * shedShare(priority),
                o.failed.get(),
                o.gaveUp.get()));
      }
      return text.toString();
    }

    String json() {
      StringBuilder json = new StringBuilder("{");
      json.append(
          String.format(
              Locale.ROOT,
              "\"run\":\"%s\",\"offeredPerSecond\":%.0f,\"seconds\":%.1f,",
              name,
              rate,
              seconds));
      json.append(
          String.format(
              Locale.ROOT,
              "\"capacityPerSecond\":%.0f,\"goodputPerSecond\":%.1f,",
              capacity(),
              goodput()));
      json.append(
          String.format(
              Locale.ROOT,
              "\"peakBusyServerThreads\":%d,\"peakJvmThreads\":%d,\"finalLimit\":%d,\"loadAverage\":\"%s\",\"priorities\":{",
              peakBusyThreads,
              peakJvmThreads,
              finalLimit,
              loadAverage));
      List<String> parts = new ArrayList<>();
      for (Priority priority : MIX) {
        Outcome o = outcomes.get(priority);
        parts.add(
            String.format(
                Locale.ROOT,
                "\"%s\":{\"sent\":%d,\"accepted\":%d,\"p50Millis\":%.2f,\"p99Millis\":%.2f,\"serverP50Millis\":%.2f,\"serverP99Millis\":%.2f,\"shedShare\":%.4f,\"failed\":%d,\"gaveUp\":%d}",
                priority.name().toLowerCase(Locale.ROOT),
                o.sent.get(),
                o.acceptedNanos.size(),
                o.percentileMillis(0.5),
                o.percentileMillis(0.99),
                o.serverPercentileMillis(0.5),
                o.serverPercentileMillis(0.99),
                shedShare(priority),
                o.failed.get(),
                o.gaveUp.get()));
      }
      return json.append(String.join(",", parts)).append("}}").toString();
    }
  }

  private final @Nullable ConcurrencyLimiter limiter;
  private final Semaphore slots = new Semaphore(SLOTS, true);
  private final Server server;
  private final QueuedThreadPool pool;
  private final URI base;
  private final ExecutorService clientThreads = Executors.newFixedThreadPool(4);
  private final HttpClient client;
  private final int baselineBusy;
  // Time in the server of requests answered 200, by route: what the limiter controls, without
  // the client's and the kernel's share of a starved machine.
  private final Map<String, ConcurrentLinkedQueue<Long>> serverTimes =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** Starts the server, protected by {@code limiter} if there is one. */
  OverloadLoad(@Nullable ConcurrencyLimiter limiter) throws Exception {
    this.limiter = limiter;
    for (String route : ROUTES.values()) {
      serverTimes.put(route, new ConcurrentLinkedQueue<>());
    }
    pool = new QueuedThreadPool(JETTY_THREADS, 8);
    server = new Server(pool);
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setAcceptQueueSize(1024);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    context.addFilter(
        new FilterHolder(
            (jakarta.servlet.Filter)
                (request, response, chain) -> {
                  long start = System.nanoTime();
                  chain.doFilter(request, response);
                  if (((HttpServletResponse) response).getStatus() == 200) {
                    String path = ((HttpServletRequest) request).getRequestURI();
                    ConcurrentLinkedQueue<Long> times = serverTimes.get(path.substring(1));
                    if (times != null) {
                      times.add(System.nanoTime() - start);
                    }
                  }
                }),
        "/*",
        java.util.EnumSet.of(DispatcherType.REQUEST));
    if (limiter != null) {
      ConcurrencyLimitFilter.Builder filter = ConcurrencyLimitFilter.builder(limiter);
      ROUTES.forEach((priority, route) -> filter.route("/" + route, priority));
      context.addFilter(
          new FilterHolder(filter.build()), "/*", java.util.EnumSet.of(DispatcherType.REQUEST));
    }
    context.addServlet(new ServletHolder(new DependencyServlet()), "/*");
    server.setHandler(context);
    server.start();
    base = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/");
    client = HttpClient.newBuilder().executor(clientThreads).build();
    Thread.sleep(200);
    // Acceptor and selector threads count as busy: the baseline is subtracted from what is shown.
    baselineBusy = pool.getBusyThreads();
  }

  /** Calls the dependency: a slot, waited for up to its timeout, held for the service time. */
  private final class DependencyServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      boolean got;
      try {
        got = slots.tryAcquire(DEPENDENCY_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        got = false;
      }
      if (!got) {
        response.sendError(504, "dependency timed out");
        return;
      }
      try {
        LockSupport.parkNanos(SERVICE.toNanos());
      } finally {
        slots.release();
      }
      response.setContentType("text/plain");
      response.getWriter().write("ok");
    }
  }

  /** Sends {@code count} requests at {@code rate} a second; returns when all are answered. */
  Result run(String name, double rate, int count) throws Exception {
    Map<Priority, Outcome> outcomes = new EnumMap<>(Priority.class);
    for (Priority p : MIX) {
      outcomes.put(p, new Outcome());
    }
    List<CompletableFuture<?>> all = new ArrayList<>(count);
    int[] peaks = new int[2];
    java.lang.management.ThreadMXBean threads =
        java.lang.management.ManagementFactory.getThreadMXBean();
    threads.resetPeakThreadCount();
    serverTimes.values().forEach(ConcurrentLinkedQueue::clear);
    long start = System.nanoTime();
    long periodNanos = (long) (1e9 / rate);
    for (int i = 0; i < count; i++) {
      long due = start + i * periodNanos;
      long wait;
      while ((wait = due - System.nanoTime()) > 0) {
        LockSupport.parkNanos(Math.min(wait, 1_000_000));
      }
      if ((i & 15) == 0) {
        peaks[0] = Math.max(peaks[0], pool.getBusyThreads() - baselineBusy);
      }
      Priority priority = MIX[i % MIX.length];
      Outcome outcome = outcomes.get(priority);
      outcome.sent.incrementAndGet();
      long sentAt = System.nanoTime();
      all.add(
          client
              .sendAsync(
                  HttpRequest.newBuilder(base.resolve(ROUTES.get(priority)))
                      .timeout(CLIENT_DEADLINE)
                      .build(),
                  HttpResponse.BodyHandlers.discarding())
              .handle(
                  (response, failure) -> {
                    if (failure != null) {
                      outcome.gaveUp.incrementAndGet();
                    } else if (response.statusCode() == 200) {
                      outcome.acceptedNanos.add(System.nanoTime() - sentAt);
                    } else if (response.statusCode() == 503) {
                      outcome.shed.incrementAndGet();
                    } else {
                      outcome.failed.incrementAndGet();
                    }
                    return null;
                  }));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .get(CLIENT_DEADLINE.toSeconds() + 30, TimeUnit.SECONDS);
    peaks[1] = threads.getPeakThreadCount();
    // Let the server drain what the client gave up on before the next run.
    long drained = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (pool.getBusyThreads() > baselineBusy && System.nanoTime() < drained) {
      Thread.sleep(20);
    }
    for (Priority priority : MIX) {
      outcomes.get(priority).serverNanos.addAll(serverTimes.get(ROUTES.get(priority)));
    }
    String load;
    try {
      load = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException e) {
      load = "unknown";
    }
    return new Result(
        name,
        rate,
        seconds,
        outcomes,
        peaks[0],
        peaks[1],
        limiter == null ? -1 : limiter.limit(),
        load);
  }

  void stop() throws Exception {
    server.stop();
    clientThreads.shutdownNow();
  }

  /** A no-load run, then an overload run at {@code overload} times capacity, with and without. */
  static List<Result> compare(double overload, double overloadSeconds, Path results)
      throws Exception {
    List<Result> all = new ArrayList<>();
    for (boolean limited : new boolean[] {true, false}) {
      // The runs share one JVM: let the last one's garbage and closed connections go first.
      System.gc();
      Thread.sleep(500);
      ConcurrencyLimiter limiter =
          limited
              ? ConcurrencyLimiter.builder("inbound")
                  .initialLimit(8)
                  .minLimit(2)
                  .maxLimit(200)
                  .build()
              : null;
      OverloadLoad load = new OverloadLoad(limiter);
      try {
        String mode = limited ? "limiter" : "unprotected";
        // Warm the JIT (and the limiter's no-load latency) at capacity first.
        load.run("warm-up " + mode, capacity(), (int) (capacity() / 2));
        all.add(load.run("no load, " + mode, 0.2 * capacity(), (int) (0.2 * capacity())));
        double rate = overload * capacity();
        all.add(load.run("overload, " + mode, rate, (int) (rate * overloadSeconds)));
      } finally {
        load.stop();
      }
    }
    StringBuilder json = new StringBuilder("[\n");
    for (int i = 0; i < all.size(); i++) {
      json.append("  ").append(all.get(i).json()).append(i < all.size() - 1 ? ",\n" : "\n");
    }
    Files.createDirectories(results.getParent());
    Files.writeString(results, json.append("]\n").toString());
    all.forEach(r -> System.out.print(r.summary()));
    return all;
  }

  static Result find(List<Result> all, String name) {
    return all.stream()
        .filter(r -> r.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError(name + " in " + Arrays.toString(all.toArray())));
  }
}
