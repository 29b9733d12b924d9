package dev.brownout.core.admin;

import dev.brownout.core.json.JsonCodec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * An admin response: status, headers and body, plus, for a change, what it changed (which the audit
 * trail records). Immutable; the {@code with…} methods return copies.
 */
public final class AdminResponse {
  private static final byte[] EMPTY = new byte[0];

  private final int status;
  private final String contentType;
  private final byte[] body;
  private final Map<String, String> headers;
  private final @Nullable Change change;

  /**
   * What a change did, for the audit trail.
   *
   * @param target what was changed, such as {@code flag new-checkout}
   * @param before the state before, encoded as JSON, or null if it did not exist
   * @param after the state after, encoded as JSON, or null if it no longer exists
   */
  public record Change(String target, @Nullable Object before, @Nullable Object after) {
    /** Validates the change. */
    public Change {
      Objects.requireNonNull(target, "target");
    }
  }

  private AdminResponse(
      int status,
      String contentType,
      byte[] body,
      Map<String, String> headers,
      @Nullable Change change) {
    this.status = status;
    this.contentType = contentType;
    this.body = body;
    this.headers = Map.copyOf(headers);
    this.change = change;
  }

  /** 200 with {@code value} as JSON. */
  public static AdminResponse ok(Object value) {
    return json(200, value);
  }

  /** {@code status} with {@code value} as JSON. */
  public static AdminResponse json(int status, Object value) {
    return new AdminResponse(
        status, "application/json", JsonCodec.standard().encode(value), Map.of(), null);
  }

  /** 201 with {@code value} as JSON and a {@code Location} header. */
  public static AdminResponse created(String location, Object value) {
    return json(201, value).withHeader("Location", location);
  }

  /** 204 with no body. */
  public static AdminResponse noContent() {
    return new AdminResponse(204, "", EMPTY, Map.of(), null);
  }

  /** {@code status} with a body of another media type, such as the console's HTML. */
  public static AdminResponse raw(int status, String contentType, byte[] body) {
    return new AdminResponse(status, contentType, body.clone(), Map.of(), null);
  }

  /** The problem as {@code application/problem+json}. */
  public static AdminResponse problem(Problem problem) {
    return new AdminResponse(
        problem.status(), Problem.MEDIA_TYPE, JsonCodec.standard().encode(problem), Map.of(), null);
  }

  /** This response with a header added. */
  public AdminResponse withHeader(String name, String value) {
    Map<String, String> more = new LinkedHashMap<>(headers);
    more.put(name, value);
    return new AdminResponse(status, contentType, body, more, change);
  }

  /** This response with an {@code ETag} header; {@code etag} is quoted if it is not already. */
  public AdminResponse withETag(String etag) {
    return withHeader(
        "ETag", etag.startsWith("\"") || etag.startsWith("W/") ? etag : '"' + etag + '"');
  }

  /** This response recording what a change did, for the audit trail. */
  public AdminResponse withChange(String target, @Nullable Object before, @Nullable Object after) {
    return new AdminResponse(status, contentType, body, headers, new Change(target, before, after));
  }

  /** The status code. */
  public int status() {
    return status;
  }

  /** The media type of the body, or empty text if there is none. */
  public String contentType() {
    return contentType;
  }

  /** The body. */
  public byte[] body() {
    return body.clone();
  }

  byte[] bodyUnsafe() {
    return body;
  }

  /** Headers beyond {@code Content-Type}. */
  public Map<String, String> headers() {
    return headers;
  }

  /** What the change did, if the handler said. */
  public Optional<Change> change() {
    return Optional.ofNullable(change);
  }

  @Override
  public String toString() {
    return "AdminResponse[" + status + " " + contentType + ", " + body.length + " bytes]";
  }
}
