package dev.brownout.core.admin;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An RFC 9457 problem detail, the body of every admin error ({@code application/problem+json}).
 * {@code type} is stable and documented; {@code detail} is for humans and says what to do.
 *
 * @param type a stable URI naming the kind of problem
 * @param title a short summary of the kind of problem
 * @param status the HTTP status
 * @param detail what happened in this case, and what to do about it
 * @param instance the request path, or null
 * @param extensions further members, such as the current ETag on a failed precondition
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(
    URI type,
    String title,
    int status,
    String detail,
    @Nullable String instance,
    @JsonIgnore Map<String, Object> extensions) {

  /** The media type of problem bodies. */
  public static final String MEDIA_TYPE = "application/problem+json";

  private static final String BASE = "https://brownout.dev/problems/";

  /** Validates the problem. */
  public Problem {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(detail, "detail");
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("problem status must be 4xx or 5xx but was " + status);
    }
    extensions = Map.copyOf(extensions);
  }

  /** A problem of Brownout's own type {@code https://brownout.dev/problems/<name>}. */
  public static Problem of(String name, String title, int status, String detail) {
    return new Problem(URI.create(BASE + name), title, status, detail, null, Map.of());
  }

  /** This problem with {@code instance} set. */
  public Problem withInstance(String path) {
    return new Problem(type, title, status, detail, path, extensions);
  }

  /** This problem with one more extension member. */
  public Problem with(String name, Object value) {
    Map<String, Object> more = new LinkedHashMap<>(extensions);
    more.put(name, value);
    return new Problem(type, title, status, detail, instance, more);
  }

  @JsonAnyGetter
  Map<String, Object> jsonExtensions() {
    return extensions;
  }
}
