package dev.brownout.core.admin;

import dev.brownout.core.json.CodecException;
import dev.brownout.core.json.JsonCodec;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * An admin request, independent of the server that received it. Transports build one with {@link
 * #builder(String, String)}; tests can too, and pass it to {@link AdminApi#handle(AdminRequest)}.
 */
public final class AdminRequest {
  /** The header that carries the reason for a change, recorded in the audit trail. */
  public static final String REASON_HEADER = "Brownout-Reason";

  private final String method;
  private final String path;
  private final Map<String, List<String>> query;
  private final Map<String, List<String>> headers;
  private final byte[] body;
  private final @Nullable Object nativeRequest;
  private final Map<String, String> pathParams;
  private final @Nullable AdminPrincipal principal;
  private final JsonCodec codec;

  /** The first pair of the query string that is not valid percent-encoding; null if none. */
  private final @Nullable String malformedQuery;

  private AdminRequest(Builder builder) {
    this.method = builder.method;
    this.path = builder.path;
    this.query = builder.query;
    this.headers = builder.headers;
    this.body = builder.body;
    this.nativeRequest = builder.nativeRequest;
    this.malformedQuery = builder.malformedQuery;
    this.pathParams = Map.of();
    this.principal = null;
    this.codec = JsonCodec.standard();
  }

  private AdminRequest(
      AdminRequest base, Map<String, String> pathParams, AdminPrincipal principal) {
    this.method = base.method;
    this.path = base.path;
    this.query = base.query;
    this.headers = base.headers;
    this.body = base.body;
    this.malformedQuery = base.malformedQuery;
    this.nativeRequest = base.nativeRequest;
    this.pathParams = Map.copyOf(pathParams);
    this.principal = principal;
    this.codec = base.codec;
  }

  AdminRequest routed(Map<String, String> params, AdminPrincipal who) {
    return new AdminRequest(this, params, who);
  }

  /** The first query pair that is not valid percent-encoding, if any; the API refuses it (400). */
  public Optional<String> malformedQuery() {
    return Optional.ofNullable(malformedQuery);
  }

  /** Starts a request; {@code path} is the raw (percent-encoded) path below the admin root. */
  public static Builder builder(String method, String path) {
    return new Builder(method, path);
  }

  /** The HTTP method, upper case. */
  public String method() {
    return method;
  }

  /** The raw path below the admin root, such as {@code /api/v1/flags/new-checkout}. */
  public String path() {
    return path;
  }

  /** A path parameter of the matched route, percent-decoded. */
  public String pathParam(String name) {
    String value = pathParams.get(name);
    if (value == null) {
      throw new IllegalArgumentException("the route has no path parameter named " + name);
    }
    return value;
  }

  /** The first value of a query parameter. */
  public Optional<String> query(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** Every value of a query parameter, in order; empty if it is absent. */
  public List<String> queryAll(String name) {
    return query.getOrDefault(name, List.of());
  }

  /**
   * An integer query parameter in {@code [min, max]}, or {@code fallback} when absent.
   *
   * @throws ProblemException 400 if it is present but not such an integer
   */
  public int queryInt(String name, int fallback, int min, int max) {
    Optional<String> text = query(name);
    if (text.isEmpty()) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(text.get());
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ProblemException.badRequest(
        "query parameter '" + name + "' must be an integer between " + min + " and " + max);
  }

  /** The first value of a header, by case-insensitive name. */
  public Optional<String> header(String name) {
    List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** The raw body; empty if there was none. */
  public byte[] body() {
    return body.clone();
  }

  /**
   * The body decoded from JSON.
   *
   * @throws ProblemException 400 naming what is wrong if the body is missing, not JSON, {@code
   *     null}, or does not fit {@code type}; 415 if it is declared as something other than JSON
   */
  public <T> T body(Class<T> type) {
    Optional<String> contentType = header("Content-Type");
    if (contentType.isPresent() && !contentType.get().toLowerCase(Locale.ROOT).contains("json")) {
      throw new ProblemException(
          Problem.of(
              "unsupported-media-type",
              "Unsupported media type",
              415,
              "the body must be application/json but was declared as " + contentType.get()));
    }
    if (body.length == 0) {
      throw ProblemException.badRequest("this request needs a JSON body");
    }
    T value;
    try {
      value = codec.decode(body, type);
    } catch (CodecException e) {
      throw ProblemException.badRequest(e.getMessage());
    }
    if (value == null) {
      throw ProblemException.badRequest(
          "the body must be a JSON " + (type.isArray() ? "array" : "object") + ", not null");
    }
    return value;
  }

  /** Who is calling; set once the request is authenticated. */
  public AdminPrincipal principal() {
    if (principal == null) {
      throw new IllegalStateException("the request has not been authenticated yet");
    }
    return principal;
  }

  /** The reason for a change, from the {@value #REASON_HEADER} header. */
  public Optional<String> reason() {
    return header(REASON_HEADER).map(String::strip).filter(text -> !text.isEmpty());
  }

  /**
   * The server's own request object ({@code HttpExchange} or {@code HttpServletRequest}), for
   * authenticators that defer to the host application's security.
   */
  public Optional<Object> nativeRequest() {
    return Optional.ofNullable(nativeRequest);
  }

  /**
   * Checks an {@code If-Match} header against the current ETag of the resource. Without the header
   * the change proceeds (last writer wins); with it, only if one of its tags matches.
   *
   * @throws ProblemException 412 with the current ETag if the precondition fails
   */
  public void checkIfMatch(String currentETag) {
    Optional<String> ifMatch = header("If-Match");
    if (ifMatch.isEmpty() || ifMatch.get().strip().equals("*")) {
      return;
    }
    for (String tag : ifMatch.get().split(",")) {
      if (tag.strip().equals(currentETag)) {
        return;
      }
    }
    throw ProblemException.preconditionFailed(
        "the resource has changed since you read it (If-Match "
            + ifMatch.get().strip()
            + ", current "
            + currentETag
            + "); read it again and reapply your change",
        currentETag);
  }

  @Override
  public String toString() {
    return method + " " + path;
  }

  /** Splits a raw path into percent-decoded segments; a trailing slash is ignored. */
  static List<String> segments(String rawPath) {
    List<String> segments = new ArrayList<>();
    for (String part : rawPath.split("/")) {
      if (!part.isEmpty()) {
        segments.add(URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8));
      }
    }
    return segments;
  }

  /** Builds an {@link AdminRequest}. */
  public static final class Builder {
    private @Nullable String malformedQuery;

    private final String method;
    private final String path;
    private final Map<String, List<String>> query = new LinkedHashMap<>();
    private final Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private byte[] body = new byte[0];
    private @Nullable Object nativeRequest;

    private Builder(String method, String path) {
      this.method = Objects.requireNonNull(method, "method").toUpperCase(Locale.ROOT);
      this.path = Objects.requireNonNull(path, "path").isEmpty() ? "/" : path;
    }

    /** Adds a header value. */
    public Builder header(String name, String value) {
      headers.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
      return this;
    }

    /** Parses a raw query string such as {@code limit=10&after=x}. */
    public Builder rawQuery(@Nullable String rawQuery) {
      if (rawQuery == null || rawQuery.isEmpty()) {
        return this;
      }
      for (String pair : rawQuery.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int equals = pair.indexOf('=');
        String name;
        String value;
        try {
          name =
              URLDecoder.decode(
                  equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
          value =
              equals < 0
                  ? ""
                  : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          // A client's malformed escape ("%", "%zz"): the API answers 400 naming it.
          if (malformedQuery == null) {
            malformedQuery = pair;
          }
          continue;
        }
        query.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
      }
      return this;
    }

    /** Sets the body. */
    public Builder body(byte[] bytes) {
      this.body = bytes.clone();
      return this;
    }

    /** Sets the body to UTF-8 text. */
    public Builder body(String text) {
      this.body = text.getBytes(StandardCharsets.UTF_8);
      return this;
    }

    /** The server's own request object, for authenticators. */
    public Builder nativeRequest(Object request) {
      this.nativeRequest = request;
      return this;
    }

    /** Builds the request. */
    public AdminRequest build() {
      headers.replaceAll((name, values) -> List.copyOf(values));
      query.replaceAll((name, values) -> List.copyOf(values));
      return new AdminRequest(this);
    }
  }
}
