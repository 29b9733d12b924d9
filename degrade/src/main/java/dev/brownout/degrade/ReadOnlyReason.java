package dev.brownout.degrade;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One reason the application is browse-only. The application is browse-only while any reason is
 * active; reasons are independent, so clearing one never clears another.
 *
 * @param id names the reason, such as {@code db-failover} or {@code auto:write-path}
 * @param kind what kind of reason
 * @param source who or what set it: a person's name, {@code write-path breaker}
 * @param since when it was set
 * @param message what users are told, such as "Bookings are paused while we move databases"
 * @param eta when writes should work again, if known (it becomes {@code Retry-After}): after {@code
 *     since}, and within {@link #MAX_ETA} of it
 * @param leaseUntil when the reason lapses unless renewed; required for automatic reasons, so a
 *     server that set one and then died cannot keep the application read-only
 * @param server the server that reports it, for an automatic reason that is that server's own (the
 *     write path's); whether it makes other servers browse-only is the fleet setting {@code
 *     brownout.degrade.write-path.fleet}. Null for reasons of the whole application.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReadOnlyReason(
    String id,
    Kind kind,
    String source,
    Instant since,
    String message,
    @Nullable Instant eta,
    @Nullable Instant leaseUntil,
    @Nullable String server) {
  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9:._-]{0,127}");

  /** The furthest an ETA may be from the moment the reason was set. */
  public static final Duration MAX_ETA = Duration.ofDays(30);

  /** The longest message: what users are told fits in a sentence or two. */
  public static final int MAX_MESSAGE_LENGTH = 1000;

  /** The longest source. */
  public static final int MAX_SOURCE_LENGTH = 200;

  /** The kinds of reason. */
  public enum Kind {
    /** Set by hand: an operator decided. */
    MANUAL,
    /** Planned work, usually with an ETA. */
    MAINTENANCE,
    /** Set by the application itself when its write path fails; always leased. */
    AUTOMATIC
  }

  /**
   * Validates the reason, naming every problem.
   *
   * @throws IllegalArgumentException if anything is wrong
   */
  public ReadOnlyReason {
    List<String> problems = new ArrayList<>();
    if (id == null || !ID.matcher(id).matches()) {
      problems.add(
          "id must be 1 to 128 lower-case letters, digits, ':', '.', '_' or '-' but was '"
              + id
              + "'");
    }
    if (kind == null) {
      problems.add("kind is required (manual, maintenance or automatic)");
    }
    if (source == null || source.isBlank()) {
      problems.add("source is required: who or what sets the reason");
    }
    if (since == null) {
      problems.add("since is required");
    }
    if (message == null || message.isBlank()) {
      problems.add("message is required: it is what users are told");
    }
    if (kind == Kind.AUTOMATIC && leaseUntil == null) {
      problems.add(
          "an automatic reason needs a lease (leaseUntil), so it lapses if nobody renews it");
    }
    if (since != null && leaseUntil != null && !leaseUntil.isAfter(since)) {
      problems.add("leaseUntil must be after since");
    }
    if (since != null && eta != null && !eta.isAfter(since)) {
      problems.add("eta must be after since (" + since + ") but was " + eta);
    }
    if (since != null && eta != null && eta.isAfter(since.plus(MAX_ETA))) {
      problems.add(
          "eta must be within "
              + MAX_ETA.toDays()
              + " days of since ("
              + since
              + ") but was "
              + eta);
    }
    if (message != null && message.length() > MAX_MESSAGE_LENGTH) {
      problems.add(
          "message must be at most "
              + MAX_MESSAGE_LENGTH
              + " characters but has "
              + message.length());
    }
    if (source != null && source.length() > MAX_SOURCE_LENGTH) {
      problems.add(
          "source must be at most " + MAX_SOURCE_LENGTH + " characters but has " + source.length());
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "read-only reason is invalid: " + String.join("; ", problems));
    }
  }

  /** A reason of the whole application, reported by no server in particular. */
  public ReadOnlyReason(
      String id,
      Kind kind,
      String source,
      Instant since,
      String message,
      @Nullable Instant eta,
      @Nullable Instant leaseUntil) {
    this(id, kind, source, since, message, eta, leaseUntil, null);
  }

  /** Whether the reason holds at {@code now}: not past its lease. */
  public boolean activeAt(Instant now) {
    return leaseUntil == null || leaseUntil.isAfter(now);
  }

  /** This reason with its lease moved to {@code until}. */
  public ReadOnlyReason renewedUntil(Instant until) {
    return new ReadOnlyReason(
        id, kind, source, since, message, eta, Objects.requireNonNull(until, "until"), server);
  }

  /**
   * Starts a reason named {@code id} of {@code kind}; {@code since} defaults to now when built.
   *
   * <pre>{@code
   * ReadOnlyReason reason =
   *     ReadOnlyReason.builder("db-move", ReadOnlyReason.Kind.MAINTENANCE)
   *         .source("alice")
   *         .message("Bookings are paused while we move databases")
   *         .eta(Instant.parse("2026-12-01T22:00:00Z"))
   *         .build();
   * }</pre>
   */
  public static Builder builder(String id, Kind kind) {
    return new Builder(id, kind);
  }

  /** Builds a {@link ReadOnlyReason}, validated when built. */
  public static final class Builder {
    private final String id;
    private final Kind kind;
    private @Nullable String source;
    private @Nullable Instant since;
    private @Nullable String message;
    private @Nullable Instant eta;
    private @Nullable Instant leaseUntil;
    private @Nullable String server;

    private Builder(String id, Kind kind) {
      this.id = id;
      this.kind = kind;
    }

    /** Who or what sets the reason: a person's name, {@code write-path breaker}. Required. */
    public Builder source(String who) {
      this.source = who;
      return this;
    }

    /** When it was set; default the moment {@link #build()} runs. */
    public Builder since(Instant when) {
      this.since = when;
      return this;
    }

    /** What users are told. Required. */
    public Builder message(String text) {
      this.message = text;
      return this;
    }

    /** When writes should work again, if known. */
    public Builder eta(@Nullable Instant when) {
      this.eta = when;
      return this;
    }

    /** When the reason lapses unless renewed; required for automatic reasons. */
    public Builder leaseUntil(@Nullable Instant when) {
      this.leaseUntil = when;
      return this;
    }

    /** The server that reports the reason, for a server's own automatic reason. */
    public Builder server(@Nullable String id) {
      this.server = id;
      return this;
    }

    /**
     * Builds the reason.
     *
     * @throws IllegalArgumentException naming every problem
     */
    public ReadOnlyReason build() {
      return new ReadOnlyReason(
          id,
          kind,
          source,
          since == null ? Instant.now() : since,
          message,
          eta,
          leaseUntil,
          server);
    }
  }
}
