package dev.brownout.state.redis;

import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import java.io.File;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Where the store's Redis is and how to reach it, parsed from the configured URI and settings into
 * what Lettuce takes: one server ({@code redis://}), a cluster's seed nodes ({@code
 * redis-cluster://}) or the sentinels of a named primary ({@code redis-sentinel://}), each with TLS
 * ({@code rediss…}), credentials and a timeout. Nothing here connects; every mistake is an {@link
 * IllegalArgumentException} that says what was expected, never showing a password.
 */
final class RedisEndpoint {
  /** The shapes of Redis deployment the store connects to. */
  enum Mode {
    STANDALONE,
    CLUSTER,
    SENTINEL
  }

  /** Credentials, TLS files and checks that are not in the URI. */
  record Security(
      @Nullable String username,
      @Nullable String password,
      @Nullable String truststore,
      @Nullable String truststorePassword,
      @Nullable String keystore,
      @Nullable String keystorePassword,
      boolean verifyHostname) {
    static Security none() {
      return new Security(null, null, null, null, null, null, true);
    }

    /** Without the passwords, which are never printed. */
    @Override
    public String toString() {
      return "Security[username="
          + username
          + ", password="
          + (password == null ? "none" : "****")
          + ", truststore="
          + truststore
          + ", keystore="
          + keystore
          + ", verifyHostname="
          + verifyHostname
          + "]";
    }
  }

  private final Mode mode;
  private final boolean tls;
  private final List<RedisURI> uris;
  private final String address;
  private final @Nullable SslOptions sslOptions;

  private RedisEndpoint(
      Mode mode, boolean tls, List<RedisURI> uris, String address, @Nullable SslOptions ssl) {
    this.mode = mode;
    this.tls = tls;
    this.uris = uris;
    this.address = address;
    this.sslOptions = ssl;
  }

  /** The scheme's mode, or an error naming the schemes there are. */
  static Mode mode(URI uri) {
    String scheme = String.valueOf(uri.getScheme()).toLowerCase(Locale.ROOT);
    return switch (scheme) {
      case "redis", "rediss" -> Mode.STANDALONE;
      case "redis-cluster", "rediss-cluster" -> Mode.CLUSTER;
      case "redis-sentinel", "rediss-sentinel" -> Mode.SENTINEL;
      default ->
          throw new IllegalArgumentException(
              "a redis URI starts with redis://, rediss:// (TLS), redis-cluster://,"
                  + " rediss-cluster://, redis-sentinel:// or rediss-sentinel:// but was "
                  + uri.getScheme()
                  + "://…");
    };
  }

  /**
   * Parses {@code uri} with {@code security}.
   *
   * @throws IllegalArgumentException naming what is wrong (never the password)
   */
  static RedisEndpoint parse(URI uri, Security security, Duration timeout) {
    Mode mode = mode(uri);
    boolean tls = uri.getScheme().toLowerCase(Locale.ROOT).startsWith("rediss");
    String authority = uri.getRawAuthority();
    if (authority == null || authority.isBlank()) {
      throw new IllegalArgumentException(
          "a redis URI names its server, as " + uri.getScheme() + "://host:port, but had no host");
    }
    String userInfo = null;
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      userInfo = authority.substring(0, at);
      authority = authority.substring(at + 1);
    }
    Credentials credentials = credentials(userInfo, security);
    if (!tls
        && (security.truststore() != null
            || security.keystore() != null
            || !security.verifyHostname())) {
      throw new IllegalArgumentException(
          "a truststore, a keystore or verify-hostname=false only apply to TLS: use rediss://"
              + " (rediss-cluster://, rediss-sentinel://) or remove them");
    }
    List<HostAndPort> hosts = hosts(authority, uri.getScheme());
    String path = uri.getPath() == null ? "" : uri.getPath();
    SslVerifyMode verify = security.verifyHostname() ? SslVerifyMode.FULL : SslVerifyMode.CA;
    List<RedisURI> uris = new ArrayList<>();
    String address;
    switch (mode) {
      case STANDALONE -> {
        if (hosts.size() != 1) {
          throw new IllegalArgumentException(
              "a redis:// URI names one server; for several use redis-cluster:// (a cluster's"
                  + " nodes) or redis-sentinel://…/primary-name (sentinels)");
        }
        HostAndPort host = hosts.get(0);
        RedisURI.Builder builder = RedisURI.Builder.redis(host.host(), host.port());
        database(path).ifPresent(builder::withDatabase);
        uris.add(finish(builder, tls, verify, credentials, timeout));
        address = host.toString();
      }
      case CLUSTER -> {
        if (!path.isEmpty() && !path.equals("/")) {
          throw new IllegalArgumentException(
              "a redis-cluster:// URI lists seed nodes only (a cluster has database 0 alone) but"
                  + " had the path "
                  + path);
        }
        for (HostAndPort host : hosts) {
          uris.add(
              finish(
                  RedisURI.Builder.redis(host.host(), host.port()),
                  tls,
                  verify,
                  credentials,
                  timeout));
        }
        address = "cluster " + join(hosts);
      }
      case SENTINEL -> {
        String primary = path.startsWith("/") ? path.substring(1) : path;
        if (primary.isEmpty() || primary.contains("/")) {
          throw new IllegalArgumentException(
              "a redis-sentinel:// URI names the primary its sentinels watch, as"
                  + " redis-sentinel://host:port[,host:port…]/primary-name, but had "
                  + (primary.isEmpty() ? "no name" : "the path " + path));
        }
        HostAndPort first = hosts.get(0);
        RedisURI.Builder builder = RedisURI.Builder.sentinel(first.host(), first.port(), primary);
        for (HostAndPort host : hosts.subList(1, hosts.size())) {
          builder.withSentinel(host.host(), host.port());
        }
        uris.add(finish(builder, tls, verify, credentials, timeout));
        address = "primary " + primary + " of sentinels " + join(hosts);
      }
      default -> throw new IllegalStateException(mode.toString());
    }
    return new RedisEndpoint(mode, tls, List.copyOf(uris), address, tls ? ssl(security) : null);
  }

  Mode mode() {
    return mode;
  }

  boolean tls() {
    return tls;
  }

  /** The one server, or the sentinel URI naming the primary. */
  RedisURI uri() {
    return uris.get(0);
  }

  /** The cluster's seed nodes. */
  List<RedisURI> seeds() {
    return uris;
  }

  /** Where Redis is, for messages: no credentials. */
  String address() {
    return address;
  }

  /** The TLS options, for a rediss URI. */
  Optional<SslOptions> sslOptions() {
    return Optional.ofNullable(sslOptions);
  }

  private record Credentials(@Nullable String username, @Nullable String password) {}

  private static Credentials credentials(@Nullable String userInfo, Security security) {
    if (userInfo != null && (security.password() != null || security.username() != null)) {
      throw new IllegalArgumentException(
          "credentials are in the URI and in username/password settings; keep them in one place"
              + " (the settings, which are never printed)");
    }
    if (security.username() != null && security.password() == null) {
      throw new IllegalArgumentException(
          "username " + security.username() + " has no password; set the password too");
    }
    if (userInfo == null) {
      return new Credentials(security.username(), security.password());
    }
    int colon = userInfo.indexOf(':');
    // redis://password@host, as Lettuce and redis-cli read it, or redis://user:password@host.
    String user = colon < 0 ? null : decode(userInfo.substring(0, colon));
    String password = decode(colon < 0 ? userInfo : userInfo.substring(colon + 1));
    return new Credentials(user == null || user.isEmpty() ? null : user, password);
  }

  private static String decode(String text) {
    return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static RedisURI finish(
      RedisURI.Builder builder,
      boolean tls,
      SslVerifyMode verify,
      Credentials credentials,
      Duration timeout) {
    builder.withTimeout(timeout).withSsl(tls);
    if (tls) {
      builder.withVerifyPeer(verify);
    }
    if (credentials.password() != null) {
      if (credentials.username() != null) {
        builder.withAuthentication(credentials.username(), credentials.password().toCharArray());
      } else {
        builder.withPassword(credentials.password().toCharArray());
      }
    }
    return builder.build();
  }

  private static Optional<Integer> database(String path) {
    if (path.isEmpty() || path.equals("/")) {
      return Optional.empty();
    }
    String number = path.substring(1);
    try {
      int database = Integer.parseInt(number);
      if (database >= 0) {
        return Optional.of(database);
      }
    } catch (NumberFormatException e) {
      // Reported below.
    }
    throw new IllegalArgumentException(
        "the path of a redis:// URI is the database number, such as /0, but was " + path);
  }

  private static SslOptions ssl(Security security) {
    SslOptions.Builder ssl = SslOptions.builder().jdkSslProvider();
    if (security.truststore() != null) {
      File file = readable(security.truststore(), "truststore");
      String name = file.getName().toLowerCase(Locale.ROOT);
      if (name.endsWith(".pem") || name.endsWith(".crt") || name.endsWith(".cer")) {
        ssl.trustManager(file);
      } else if (security.truststorePassword() == null) {
        ssl.truststore(file);
      } else {
        ssl.truststore(file, security.truststorePassword());
      }
    }
    if (security.keystore() != null) {
      File file = readable(security.keystore(), "keystore");
      if (security.keystorePassword() == null) {
        ssl.keystore(file);
      } else {
        ssl.keystore(file, security.keystorePassword().toCharArray());
      }
    }
    return ssl.build();
  }

  private static File readable(String path, String what) {
    File file = new File(path);
    if (!file.isFile() || !file.canRead()) {
      throw new IllegalArgumentException(
          "the " + what + " " + path + " is not a readable file; give the path of one");
    }
    return file;
  }

  private record HostAndPort(String host, int port) {
    @Override
    public String toString() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }

  private static List<HostAndPort> hosts(String authority, String scheme) {
    List<HostAndPort> hosts = new ArrayList<>();
    for (String part : authority.split(",")) {
      String text = part.trim();
      if (text.isEmpty()) {
        throw new IllegalArgumentException(
            "a redis URI lists hosts as " + scheme + "://host:port,host:port but one was empty");
      }
      String host;
      String port = null;
      if (text.startsWith("[")) {
        int end = text.indexOf(']');
        if (end < 0) {
          throw new IllegalArgumentException("unclosed [ in the host " + text);
        }
        host = text.substring(1, end);
        if (end + 1 < text.length()) {
          if (text.charAt(end + 1) != ':') {
            throw new IllegalArgumentException("expected :port after [" + host + "]");
          }
          port = text.substring(end + 2);
        }
      } else {
        int colon = text.lastIndexOf(':');
        host = colon < 0 ? text : text.substring(0, colon);
        port = colon < 0 ? null : text.substring(colon + 1);
      }
      int number = RedisURI.DEFAULT_REDIS_PORT;
      if (scheme.toLowerCase(Locale.ROOT).endsWith("sentinel")) {
        number = RedisURI.DEFAULT_SENTINEL_PORT;
      }
      if (port != null) {
        try {
          number = Integer.parseInt(port);
        } catch (NumberFormatException e) {
          number = -1;
        }
        if (number < 1 || number > 65535) {
          throw new IllegalArgumentException(
              "the port of " + host + " must be 1 to 65535 but was '" + port + "'");
        }
      }
      hosts.add(new HostAndPort(host, number));
    }
    return hosts;
  }

  private static String join(List<HostAndPort> hosts) {
    return String.join(",", hosts.stream().map(HostAndPort::toString).toList());
  }
}
