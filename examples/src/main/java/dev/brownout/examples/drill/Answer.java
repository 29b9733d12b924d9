package dev.brownout.examples.drill;

import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a request to the site came back with: a normal answer, or one of the designed degradations.
 */
enum Answer {
  /** A normal answer; for a booking, charged by the primary provider. */
  OK("ok"),
  /** A booking accepted, its charge taken later. */
  PAID_LATER("paid later"),
  /** A booking charged by a provider other than the primary. */
  FAILED_OVER("charged by the secondary"),
  /** A booking refused because the card was declined ({@code 402} problem+json). */
  DECLINED("declined"),
  /** A write refused in browse-only mode ({@code 503} problem+json). */
  BROWSE_ONLY("browse-only 503"),
  /** A request refused because its session could not be read or written ({@code 503}). */
  SESSION_DOWN("session-store 503"),
  /**
   * A session one server holds, made while the store was away, not yet on the other server: it is
   * written back within a second or so of the store answering again.
   */
  NOT_SHARED_YET("session not shared yet"),
  /** Anything else: a failure. */
  UNEXPECTED("unexpected");

  static final String BROWSE_ONLY_TYPE = "https://brownout.dev/problems/browse-only";
  static final String SESSION_DOWN_TYPE = "https://brownout.dev/problems/session-store-unavailable";
  static final String CARD_DECLINED_TYPE = "https://brownout.dev/examples/problems/card-declined";
  private static final Pattern BOOKED =
      Pattern.compile("\"booking\":(\\d+),\"payment\":\"([^\"]+)\"");
  private static final Pattern DECLINED_BOOKING = Pattern.compile("\"booking\":(\\d+)");

  final String label;

  Answer(String label) {
    this.label = label;
  }

  /** What kind of request it was. */
  enum Request {
    BROWSE,
    BOOK,
    SIGN_IN,
    /** {@code GET /me}, expecting the user signed in on the other server. */
    WHO_AM_I
  }

  /** A booking answer: the booking's id, or -1, and how it was paid. */
  record Booking(long id, String payment) {}

  /** Classifies a response; {@code user} is who a {@link Request#WHO_AM_I} expects to see. */
  static Answer of(Request request, HttpResponse<String> response, String user) {
    int status = response.statusCode();
    String body = response.body();
    if (status == 503 && body.contains(SESSION_DOWN_TYPE)) {
      return SESSION_DOWN;
    }
    return switch (request) {
      case BROWSE -> status == 200 ? OK : UNEXPECTED;
      case SIGN_IN -> status == 200 && body.equals("signed in as " + user) ? OK : UNEXPECTED;
      case WHO_AM_I -> {
        if (status == 200 && body.contains("\"user\":\"" + user + "\"")) {
          yield OK;
        }
        yield status == 200 && body.startsWith("{\"user\":null") ? NOT_SHARED_YET : UNEXPECTED;
      }
      case BOOK -> {
        if (status == 201) {
          String payment = booking(response).payment();
          if (payment.equals("pending")) {
            yield PAID_LATER;
          }
          yield payment.startsWith("primary-") ? OK : FAILED_OVER;
        }
        if (status == 402 && body.contains(CARD_DECLINED_TYPE)) {
          yield DECLINED;
        }
        if (status == 503 && body.contains(BROWSE_ONLY_TYPE)) {
          yield BROWSE_ONLY;
        }
        yield UNEXPECTED;
      }
    };
  }

  /** The booking a {@code 201} or {@code 402} booking answer names. */
  static Booking booking(HttpResponse<String> response) {
    Matcher booked = BOOKED.matcher(response.body());
    if (booked.find()) {
      return new Booking(Long.parseLong(booked.group(1)), booked.group(2));
    }
    Matcher declined = DECLINED_BOOKING.matcher(response.body());
    return declined.find()
        ? new Booking(Long.parseLong(declined.group(1)), "declined")
        : new Booking(-1, "");
  }
}
