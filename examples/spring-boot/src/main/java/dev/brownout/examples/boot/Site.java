package dev.brownout.examples.boot;

import dev.brownout.flags.FeatureFlag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Service;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The site's pages, as JSON, and the bundled payment API under {@code /vendor}. */
@RestController
class Site {
  static final String USER = "user";
  static final String INSTANT_BOOK = "instant-book";

  private final Bookings bookings;
  private final InstantBook instantBook;

  Site(Bookings bookings, InstantBook instantBook) {
    this.bookings = bookings;
    this.instantBook = instantBook;
  }

  @GetMapping("/listings")
  Map<String, Object> listings() {
    return Map.of("listings", bookings.listings(), "instantBook", instantBook.offered());
  }

  @PostMapping("/signin")
  Map<String, Object> signIn(@RequestParam String user, HttpServletRequest request) {
    if (request.getSession(false) != null) {
      request.changeSessionId(); // a new id at sign-in, so a planted one is worth nothing
    }
    request.getSession().setAttribute(USER, user);
    return Map.of("user", user);
  }

  @GetMapping("/me")
  Map<String, Object> me(HttpSession session) {
    return Map.of("user", String.valueOf(session.getAttribute(USER)));
  }

  @PostMapping("/bookings")
  ResponseEntity<Map<String, Object>> book(
      @RequestParam long listing,
      @RequestParam int nights,
      HttpSession session,
      HttpServletRequest request)
      throws Exception {
    if (!(session.getAttribute(USER) instanceof String user)) {
      return ResponseEntity.status(HttpStatus.UNAUTHORIZED).body(Map.of("error", "sign in first"));
    }
    return ResponseEntity.ok(bookings.book(user, listing, nights, request.getLocalPort()));
  }

  @GetMapping("/bookings")
  Map<String, Object> mine(HttpSession session) {
    Object user = session.getAttribute(USER);
    return Map.of("bookings", user == null ? List.of() : bookings.of((String) user));
  }

  /** Instant booking, for the users the rollout has reached so far. */
  @Service
  static class InstantBook {
    @FeatureFlag(value = INSTANT_BOOK, fallback = NotYet.class)
    public boolean offered() {
      return true;
    }
  }

  /** Users the rollout has not reached book by request. */
  static class NotYet extends InstantBook {
    @Override
    public boolean offered() {
      return false;
    }
  }

  /** The bundled payment API, which a drill can take down: {@code POST /vendor/down}. */
  @RestController
  static class Vendor {
    private final AtomicLong charges = new AtomicLong();
    private final AtomicBoolean down = new AtomicBoolean();

    @PostMapping("/vendor/charges")
    ResponseEntity<String> charge() {
      return down.get()
          ? ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body("down")
          : ResponseEntity.ok("charge-" + charges.incrementAndGet());
    }

    @PostMapping("/vendor/down")
    String takeDown() {
      down.set(true);
      return "down";
    }

    @PostMapping("/vendor/up")
    String bringUp() {
      down.set(false);
      return "up";
    }
  }
}
