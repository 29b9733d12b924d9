package dev.brownout.examples.booking;

import dev.brownout.degrade.ReadMode;
import dev.brownout.flags.FlagContext;
import dev.brownout.flags.Flags;
import dev.brownout.session.Sessions;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The booking site: browse and search listings (HTML), sign in and out (the session), book a stay
 * (a database write, then a charge through the payment API), and see your bookings. "Instant book"
 * is a new feature behind the {@code instant-book} flag.
 *
 * <ul>
 *   <li>{@code GET /listings?q=} and {@code GET /listings/{id}}: HTML pages;
 *   <li>{@code POST /signin} ({@code user=}) and {@code POST /signout};
 *   <li>{@code POST /bookings} ({@code listing=}, {@code nights=}): {@code 201} with {@code
 *       {"booking":…,"payment":…}}, the payment being the charge id of the provider that took it,
 *       or {@code pending} when it will be charged later; {@code 402} problem+json when the card
 *       was declined;
 *   <li>{@code GET /bookings}: yours, one per line; {@code GET /me}: who you are and your last
 *       booking, as the session has it.
 * </ul>
 */
final class BookingSite extends HttpServlet {
  private static final long serialVersionUID = 1L;

  private final transient DataSource db;

  /** The problem type of a booking refused because the card was declined. */
  static final String CARD_DECLINED = "https://brownout.dev/examples/problems/card-declined";

  private final transient Checkout checkout;
  private final transient Flags flags;
  private final transient ReadMode readMode;
  private final String name;

  BookingSite(DataSource db, Checkout checkout, Flags flags, ReadMode readMode, String name) {
    this.db = db;
    this.checkout = checkout;
    this.flags = flags;
    this.readMode = readMode;
    this.name = name;
  }

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    String path = request.getPathInfo() == null ? "/" : request.getPathInfo();
    try {
      try {
        read(request, response, path);
      } catch (SQLException e) {
        if (response.isCommitted()) {
          throw e;
        }
        // A read is safe to try once more, on a new connection: the one it had may have gone
        // with a failover or a restart of the database. A real fault fails twice.
        response.resetBuffer();
        read(request, response, path);
      }
    } catch (SQLException e) {
      text(response, 500, "the database failed: " + e.getMessage());
    }
  }

  private void read(HttpServletRequest request, HttpServletResponse response, String path)
      throws IOException, SQLException {
    if (path.equals("/")) {
      response.sendRedirect("/listings");
    } else if (path.equals("/listings")) {
      listings(request, response);
    } else if (path.startsWith("/listings/")) {
      listing(request, response, path.substring("/listings/".length()));
    } else if (path.equals("/bookings")) {
      myBookings(request, response);
    } else if (path.equals("/me")) {
      me(request, response);
    } else if (path.equals("/health")) {
      text(response, 200, "ok " + name + " " + readMode.mode().headerValue());
    } else {
      text(response, 404, "no page " + path);
    }
  }

  @Override
  protected void doPost(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    String path = request.getPathInfo() == null ? "/" : request.getPathInfo();
    switch (path) {
      case "/signin" -> signIn(request, response);
      case "/signout" -> {
        HttpSession session = request.getSession(false);
        if (session != null) {
          session.invalidate();
        }
        text(response, 200, "signed out");
      }
      case "/bookings" -> book(request, response);
      default -> text(response, 404, "no action " + path);
    }
  }

  private static String user(HttpServletRequest request) {
    HttpSession session = request.getSession(false);
    return session == null ? null : (String) session.getAttribute("user");
  }

  private void signIn(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String user = request.getParameter("user");
    if (user == null || !user.matches("[a-z][a-z0-9-]{0,31}")) {
      text(response, 400, "user must be 1 to 32 lower-case letters, digits or '-'");
      return;
    }
    HttpSession session = request.getSession();
    request.changeSessionId(); // a new id at sign-in: no session fixation
    session.setAttribute("user", user);
    Sessions.bindPrincipal(session, user);
    text(response, 200, "signed in as " + user);
  }

  private void book(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String user = user(request);
    if (user == null) {
      text(response, 401, "sign in first: POST /signin with user=<name>");
      return;
    }
    int listing;
    int nights;
    try {
      listing = Integer.parseInt(request.getParameter("listing"));
      nights = Integer.parseInt(request.getParameter("nights"));
    } catch (NumberFormatException | NullPointerException e) {
      text(response, 400, "listing and nights must be numbers");
      return;
    }
    if (nights < 1 || nights > 60 || listing < 1) {
      text(response, 400, "nights must be 1 to 60 and listing a listing's number");
      return;
    }
    long booking;
    try (Connection c = db.getConnection();
        PreparedStatement insert =
            c.prepareStatement(
                // Claimed by this request while it charges, so the pending-charges task leaves it
                // alone until the claim's lease runs out.
                "INSERT INTO booking(guest, listing, nights, payment, claimed_at)"
                    + " VALUES (?, ?, ?, 'charging', ?)",
                Statement.RETURN_GENERATED_KEYS)) {
      insert.setString(1, user);
      insert.setInt(2, listing);
      insert.setInt(3, nights);
      insert.setLong(4, System.currentTimeMillis());
      insert.executeUpdate();
      try (ResultSet keys = insert.getGeneratedKeys()) {
        keys.next();
        booking = keys.getLong(1);
      }
    } catch (SQLException e) {
      // If this failure showed the database refusing writes, the site is browse-only now: the
      // read-mode filter answers 503 with Retry-After instead of a 500.
      readMode.checkWritable("booking");
      text(response, 500, "the booking could not be stored: " + e.getMessage());
      return;
    }
    Checkout.Outcome charged = checkout.charge(booking, user, null);
    if (charged.result() == Checkout.Result.DECLINED) {
      // Refused, not retried and not sent to another provider: the booking does not stand.
      record(booking, "declined", null);
      problem(
          response,
          402,
          CARD_DECLINED,
          "Your card was declined",
          "The payment provider declined your card; nothing was charged and booking "
              + booking
              + " is cancelled. Try another card.",
          ",\"booking\":" + booking);
      return;
    }
    String payment = charged.payment();
    if (!record(booking, payment, charged.provider())) {
      // The booking stands; the charge is recorded, and taken if it was not, once the database
      // takes writes again (with the same idempotency key, so a charge taken is not taken twice).
      payment = Payments.PENDING;
    }
    request.getSession().setAttribute("lastBooking", booking);
    response.setHeader("Location", "/bookings/" + booking);
    json(response, 201, "{\"booking\":" + booking + ",\"payment\":\"" + payment + "\"}");
  }

  /**
   * Writes a booking's payment, and the provider that may hold a pending charge, and releases the
   * claim; false if the database refused (the claim then runs out and the charge is settled later).
   */
  private boolean record(long booking, String payment, @Nullable String provider) {
    try (Connection c = db.getConnection();
        PreparedStatement update =
            c.prepareStatement(
                "UPDATE booking SET payment = ?, provider = ?, claimed_at = NULL WHERE id = ?")) {
      update.setString(1, payment);
      update.setString(2, provider);
      update.setLong(3, booking);
      update.executeUpdate();
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  private void listings(HttpServletRequest request, HttpServletResponse response)
      throws IOException, SQLException {
    String q = request.getParameter("q");
    List<String> rows = new ArrayList<>();
    try (Connection c = db.getConnection();
        PreparedStatement select =
            c.prepareStatement(
                "SELECT id, name, city, price FROM listing WHERE LOWER(name || ' ' || city)"
                    + " LIKE ? ORDER BY id")) {
      select.setString(1, "%" + (q == null ? "" : q.toLowerCase(java.util.Locale.ROOT)) + "%");
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          rows.add(
              "<li><a href=\"/listings/"
                  + rs.getInt(1)
                  + "\">"
                  + html(rs.getString(2))
                  + "</a>, "
                  + html(rs.getString(3))
                  + ": &euro;"
                  + rs.getInt(4)
                  + " a night</li>");
        }
      }
    }
    page(
        request,
        response,
        "Stays",
        "<form><input name=\"q\" value=\""
            + html(q == null ? "" : q)
            + "\" placeholder=\"city or name\"><button>Search</button></form><ul>"
            + String.join("", rows)
            + "</ul>");
  }

  private void listing(HttpServletRequest request, HttpServletResponse response, String id)
      throws IOException, SQLException {
    int number;
    try {
      number = Integer.parseInt(id);
    } catch (NumberFormatException e) {
      text(response, 404, "no listing " + id);
      return;
    }
    try (Connection c = db.getConnection();
        PreparedStatement select =
            c.prepareStatement("SELECT name, city, price FROM listing WHERE id = ?")) {
      select.setInt(1, number);
      try (ResultSet rs = select.executeQuery()) {
        if (!rs.next()) {
          text(response, 404, "no listing " + id);
          return;
        }
        String user = user(request);
        boolean instant =
            flags.isEnabled(
                "instant-book", user == null ? FlagContext.anonymous() : FlagContext.of(user));
        String action = instant ? "Instant book" : "Request to book";
        page(
            request,
            response,
            rs.getString(1),
            "<p>"
                + html(rs.getString(2))
                + ", &euro;"
                + rs.getInt(3)
                + " a night</p><form method=\"post\" action=\"/bookings\"><input type=\"hidden\""
                + " name=\"listing\" value=\""
                + number
                + "\"><input name=\"nights\" value=\"2\" size=\"2\"> nights <button data-feature=\""
                + (instant ? "instant-book" : "request")
                + "\">"
                + action
                + "</button></form>");
      }
    }
  }

  private void myBookings(HttpServletRequest request, HttpServletResponse response)
      throws IOException, SQLException {
    String user = user(request);
    if (user == null) {
      text(response, 401, "sign in first");
      return;
    }
    StringBuilder lines = new StringBuilder();
    try (Connection c = db.getConnection();
        PreparedStatement select =
            c.prepareStatement(
                "SELECT id, listing, nights, payment FROM booking WHERE guest = ? ORDER BY id")) {
      select.setString(1, user);
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          lines
              .append(rs.getLong(1))
              .append(" listing=")
              .append(rs.getInt(2))
              .append(" nights=")
              .append(rs.getInt(3))
              .append(" payment=")
              .append(rs.getString(4))
              .append('\n');
        }
      }
    }
    text(response, 200, lines.toString());
  }

  private void me(HttpServletRequest request, HttpServletResponse response) throws IOException {
    HttpSession session = request.getSession(false);
    String user = session == null ? null : (String) session.getAttribute("user");
    Object last = session == null ? null : session.getAttribute("lastBooking");
    json(
        response,
        200,
        "{\"user\":"
            + (user == null ? "null" : "\"" + user + "\"")
            + ",\"lastBooking\":"
            + (last == null ? "null" : last)
            + "}");
  }

  private void page(
      HttpServletRequest request, HttpServletResponse response, String title, String body)
      throws IOException {
    String user = user(request);
    String banner =
        readMode.isBrowseOnly()
            ? "<p class=\"banner\">Bookings are paused for a moment; you can keep browsing.</p>"
            : "";
    String who =
        user == null
            ? "<form method=\"post\" action=\"/signin\"><input name=\"user\" placeholder=\"name\">"
                + "<button>Sign in</button></form>"
            : "Signed in as "
                + html(user)
                + " <form method=\"post\" action=\"/signout\"><button>Sign out</button></form>";
    response.setContentType("text/html; charset=utf-8");
    response
        .getWriter()
        .write(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>"
                + html(title)
                + " · Brownout stays</title></head><body><header><a href=\"/listings\">Brownout"
                + " stays</a> "
                + who
                + "</header>"
                + banner
                + "<h1>"
                + html(title)
                + "</h1>"
                + body
                + "<footer>served by "
                + html(name)
                + "</footer></body></html>");
  }

  private static void text(HttpServletResponse response, int status, String body)
      throws IOException {
    response.setStatus(status);
    response.setContentType("text/plain; charset=utf-8");
    response.getWriter().write(body);
  }

  private static void problem(
      HttpServletResponse response,
      int status,
      String type,
      String title,
      String detail,
      String members)
      throws IOException {
    response.setStatus(status);
    response.setContentType("application/problem+json");
    response.setCharacterEncoding("UTF-8");
    response
        .getWriter()
        .write(
            "{\"type\":\""
                + type
                + "\",\"title\":\""
                + title
                + "\",\"status\":"
                + status
                + ",\"detail\":\""
                + detail
                + "\""
                + members
                + "}");
  }

  private static void json(HttpServletResponse response, int status, String body)
      throws IOException {
    response.setStatus(status);
    response.setContentType("application/json");
    response.getWriter().write(body);
  }

  static String html(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;")
        .replace("'", "&#39;");
  }
}
