package dev.brownout.state.testservers;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import redis.embedded.core.ExecutableProvider;

/**
 * One {@code redis-server} process for a test: a server, a cluster node or a sentinel, started from
 * the binary {@link RedisTestServer} uses ({@link #binary()}), or from another one given, with the
 * given configuration lines, on a given port, in a directory of its own. It can be killed as a
 * crash would ({@code SIGKILL}), stopped, and started again with the same configuration; its log is
 * in {@code redis.log} in its directory.
 */
public final class RedisProcess implements AutoCloseable {
  /** The system property, or else environment variable, that names the binary the tests run. */
  public static final String BINARY_PROPERTY = "brownout.redis.binary";

  /** The environment variable that names the binary the tests run, if the property does not. */
  public static final String BINARY_ENV = "BROWNOUT_REDIS_BINARY";

  /** The system property, or else environment variable, that names a Redis 7 binary. */
  public static final String REDIS7_PROPERTY = "brownout.redis7.binary";

  /** The environment variable that names a Redis 7 binary, if the property does not. */
  public static final String REDIS7_ENV = "BROWNOUT_REDIS7_BINARY";

  /** Where Debian's and most distributions' {@code redis-server} package puts the binary. */
  public static final String SYSTEM_BINARY = "/usr/bin/redis-server";

  private static File binary;

  /** Every process started, killed when the JVM exits, whatever the tests forgot to close. */
  private static final java.util.Set<RedisProcess> RUNNING =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  static {
    Thread reaper = new Thread(() -> RUNNING.forEach(RedisProcess::kill), "redis-process-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  private final int port;
  private final Path dir;
  private final List<String> config;
  private final boolean plainPort;
  private final File executable;
  private Process process;

  /**
   * Starts a process.
   *
   * @param port the port it serves (its {@code port}, or {@code tls-port} if {@code plainPort} is
   *     false, in which case {@code config} must set the port itself)
   * @param dir its working directory, for its log and any files it writes
   * @param config configuration lines, as in {@code redis.conf}; the first may be {@code
   *     --sentinel} to run a sentinel
   * @param executable the {@code redis-server} binary to run
   */
  public RedisProcess(int port, Path dir, List<String> config, boolean plainPort, File executable) {
    this.port = port;
    this.dir = dir;
    this.config = List.copyOf(config);
    this.plainPort = plainPort;
    this.executable = executable;
    start();
  }

  /** A process of {@link #binary()}; see {@link #RedisProcess(int, Path, List, boolean, File)}. */
  public RedisProcess(int port, Path dir, List<String> config, boolean plainPort) {
    this(port, dir, config, plainPort, binary());
  }

  /** A process serving {@code port} in plain text. */
  public RedisProcess(int port, Path dir, List<String> config) {
    this(port, dir, config, true);
  }

  /**
   * The redis-server binary the test servers run: the one {@value #BINARY_PROPERTY} (system
   * property) or {@value #BINARY_ENV} (environment) names, else the one in the embedded-redis
   * artifact (6.2, the version the tests pin), else the {@code redis-server} on the PATH where the
   * artifact has none for this platform. A redis-server installed on the machine (a newer one, for
   * {@link #redis7Binary()}) does not change what the other tests run on.
   */
  public static synchronized File binary() {
    if (binary == null) {
      String named = setting(BINARY_PROPERTY, BINARY_ENV);
      if (named != null) {
        binary = executable(new File(named), BINARY_PROPERTY + " / " + BINARY_ENV);
        return binary;
      }
      try {
        binary = ExecutableProvider.newJarResourceProvider().get();
      } catch (IOException | RuntimeException e) {
        binary = onPath();
        if (binary == null) {
          throw new IllegalStateException(
              "embedded-redis has no redis-server for this platform and there is none on the"
                  + " PATH; name one with "
                  + BINARY_ENV,
              e);
        }
        return binary;
      }
      if (!binary.canExecute() && !binary.setExecutable(true)) {
        throw new IllegalStateException("cannot make " + binary + " executable");
      }
    }
    return binary;
  }

  /**
   * A redis-server of version 7 or later, for the tests of what only Redis 7 does (sharded
   * pub/sub): the one {@value #REDIS7_PROPERTY} (system property) or {@value #REDIS7_ENV}
   * (environment) names, which must be 7 or later, else {@value #SYSTEM_BINARY} if it is; empty if
   * neither.
   *
   * @throws IllegalStateException if the one named is missing or older than 7
   */
  public static Optional<File> redis7Binary() {
    String named = setting(REDIS7_PROPERTY, REDIS7_ENV);
    if (named != null) {
      File file = executable(new File(named), REDIS7_PROPERTY + " / " + REDIS7_ENV);
      if (majorVersion(file) < 7) {
        throw new IllegalStateException(
            REDIS7_ENV + " names " + file + ", which is version " + version(file) + ", not 7+");
      }
      return Optional.of(file);
    }
    File system = new File(SYSTEM_BINARY);
    return system.canExecute() && majorVersion(system) >= 7
        ? Optional.of(system)
        : Optional.empty();
  }

  /** The system property, else the environment variable; null if neither is set. */
  private static String setting(String property, String env) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      value = System.getenv(env);
    }
    return value == null || value.isBlank() ? null : value.trim();
  }

  private static File executable(File file, String from) {
    if (!file.canExecute()) {
      throw new IllegalStateException(
          from + " names " + file + ", which is not an executable file");
    }
    return file;
  }

  /** The {@code redis-server} on the PATH, or null. */
  private static File onPath() {
    for (String path : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      File candidate = new File(path, "redis-server");
      if (candidate.canExecute()) {
        return candidate;
      }
    }
    return null;
  }

  /**
   * The version of {@link #binary()}, such as {@code 6.2.11}, from {@code redis-server --version}.
   */
  public static String version() {
    return version(binary());
  }

  /** The version of the binary {@code executable}, from {@code redis-server --version}. */
  public static String version(File executable) {
    String out = run(List.of(executable.getPath(), "--version"));
    int at = out.indexOf("v=");
    return at < 0 ? out.trim() : out.substring(at + 2, out.indexOf(' ', at));
  }

  /** The major version of the binary {@code executable}; 0 if it does not say. */
  public static int majorVersion(File executable) {
    String version = version(executable);
    int dot = version.indexOf('.');
    try {
      return Integer.parseInt(dot < 0 ? version : version.substring(0, dot));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** The binary this process runs. */
  public File executable() {
    return executable;
  }

  /**
   * Whether {@link #binary()} was built with TLS: it then asks for a certificate, not an option.
   */
  public static boolean supportsTls() {
    // Without TLS support, redis-server rejects the option itself; with it, it wants the files.
    String out = run(List.of(binary().getPath(), "--port", "0", "--tls-port", "1"));
    return out.contains("tls-cert-file") || out.contains("Failed to configure TLS");
  }

  private static String run(List<String> command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getOutputStream().close();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      process.waitFor();
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The port. */
  public int port() {
    return port;
  }

  /** The process's directory. */
  public Path dir() {
    return dir;
  }

  /** Whether the process is running. */
  public synchronized boolean alive() {
    return process != null && process.isAlive();
  }

  /** Starts the process (again), and waits until it accepts connections. */
  public synchronized void start() {
    if (alive()) {
      return;
    }
    List<String> command = new ArrayList<>();
    command.add(executable.getPath());
    boolean sentinel = !config.isEmpty() && config.get(0).equals("--sentinel");
    try {
      Files.createDirectories(dir);
      Path file = dir.resolve(sentinel ? "sentinel.conf" : "redis.conf");
      // Written once: a sentinel rewrites its own file with what it learns, and the files of the
      // servers it reconfigures (CONFIG REWRITE after a failover); a restart keeps those changes.
      if (!Files.exists(file)) {
        List<String> lines = new ArrayList<>(sentinel ? config.subList(1, config.size()) : config);
        if (plainPort) {
          lines.add(0, "port " + port);
        }
        lines.add(0, "bind 127.0.0.1");
        Files.write(file, lines);
      }
      command.add(file.toString());
      if (sentinel) {
        command.add("--sentinel");
      }
      process =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    RUNNING.add(this);
    awaitReady();
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "redis-server on port " + port + " exited at start; see " + dir.resolve("redis.log"));
      }
      if (plainPort ? answersPing() : logSays("Ready to accept connections")) {
        return;
      }
      sleep(20);
    }
    throw new IllegalStateException(
        "redis-server on port " + port + " did not start in 20s; see " + dir.resolve("redis.log"));
  }

  private boolean answersPing() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      socket.setSoTimeout(500);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] reply = new byte[64];
      int read = in.read(reply);
      // +PONG, or -LOADING / -MASTERDOWN while it comes up: any answer means it listens.
      return read > 0 && (reply[0] == '+' || reply[0] == '-');
    } catch (IOException e) {
      return false;
    }
  }

  private boolean logSays(String text) {
    try {
      return Files.readString(dir.resolve("redis.log")).contains(text);
    } catch (IOException e) {
      return false;
    }
  }

  /** Kills the process as a crash would ({@code SIGKILL}): nothing is saved, no goodbye sent. */
  public synchronized void kill() {
    if (process != null) {
      process.destroyForcibly();
      waitForExit();
    }
  }

  /**
   * Freezes the process ({@code SIGSTOP}): it holds its connections and answers nothing, as a
   * server stuck in a long command, a swap storm or a VM pause does, until {@link #resume()}.
   */
  public synchronized void pause() {
    signal("STOP");
  }

  /** Lets a {@linkplain #pause() paused} process run again ({@code SIGCONT}). */
  public synchronized void resume() {
    signal("CONT");
  }

  private void signal(String name) {
    if (process == null || !process.isAlive()) {
      throw new IllegalStateException("redis-server on port " + port + " is not running");
    }
    String out = run(List.of("kill", "-" + name, Long.toString(process.pid())));
    if (!out.isBlank()) {
      throw new IllegalStateException("kill -" + name + " failed: " + out);
    }
  }

  /** Stops the process ({@code SIGTERM}). */
  public synchronized void stop() {
    if (process != null) {
      process.destroy();
      waitForExit();
    }
  }

  private void waitForExit() {
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    kill();
    RUNNING.remove(this);
  }

  @Override
  public String toString() {
    return "redis-server:" + port;
  }

  /**
   * A free loopback port whose neighbour {@code offset} above is free too (a cluster node's bus
   * port is its port plus 10000).
   */
  public static int freePortWithBus(int offset) {
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = RedisTestServer.freePort();
      if (port + offset < 65536 && free(port + offset)) {
        return port;
      }
    }
    throw new IllegalStateException("no free port pair " + offset + " apart");
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return socket.isBound();
    } catch (IOException e) {
      return false;
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
