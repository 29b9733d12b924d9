package dev.brownout.spring.it;

import dev.brownout.degrade.CircuitBreaker;
import dev.brownout.degrade.Fallback;
import dev.brownout.degrade.WriteOperation;
import dev.brownout.flags.FeatureFlag;
import jakarta.servlet.http.HttpSession;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.stereotype.Service;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * What a Boot user writes: class-based services with Brownout's annotations, a controller, and
 * their own security rules. No Brownout wiring.
 */
// Spring Session is on this suite's class path only to show that it cannot run beside Brownout's
// sessions (StartupFailureIT); here it is left out, under its name on either Boot line.
@SpringBootApplication(
    excludeName = {
      "org.springframework.boot.autoconfigure.session.SessionAutoConfiguration",
      "org.springframework.boot.session.autoconfigure.SessionAutoConfiguration"
    })
public class SuiteApplication {
  /** The application's own security: open pages, no CSRF tokens for the test client. */
  @Bean
  SecurityFilterChain site(HttpSecurity http) throws Exception {
    return http.authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
        .csrf(csrf -> csrf.disable())
        .build();
  }

  /** A third-party payment API behind a breaker, paying later while it is down. */
  @Service
  public static class Payments {
    private final AtomicInteger vendorCalls = new AtomicInteger();
    private volatile boolean vendorDown;

    /** Takes the vendor down or brings it back (a method: Spring's proxy has no state). */
    public void vendorDown(boolean down) {
      vendorDown = down;
    }

    /** How many calls reached the vendor. */
    public int vendorCalls() {
      return vendorCalls.get();
    }

    @CircuitBreaker("payments")
    @Fallback(PayLater.class)
    public String charge(String booking) {
      vendorCalls.incrementAndGet();
      if (vendorDown) {
        throw new UncheckedIOException(new java.io.IOException("payment API unreachable"));
      }
      return "charged " + booking;
    }

    /** Searches the vendor's catalogue: no fallback, so an open breaker is a 503. */
    @CircuitBreaker("search")
    public String search(String text) {
      return "found " + text;
    }

    /** Calls itself: as with any proxy, this call's guards do not run. */
    public String chargeThroughThis(String booking) {
      return charge(booking);
    }
  }

  /** What answers while the payment API is down. */
  public static class PayLater {
    public String charge(String booking) {
      return "pending " + booking;
    }
  }

  /** Instant booking, behind a flag; when it is off, a booking request is sent instead. */
  @Service
  public static class InstantBook {
    @FeatureFlag(value = "instant-book", fallback = RequestToBook.class)
    public String book(String listing) {
      return "instant " + listing;
    }

    /** A feature without a fallback: off means 404. */
    @FeatureFlag("reports")
    public String report() {
      return "report";
    }
  }

  /** The fallback of {@link InstantBook}: a subclass, as the flag guard asks. */
  public static class RequestToBook extends InstantBook {
    @Override
    public String book(String listing) {
      return "requested " + listing;
    }
  }

  /** Writes, refused while browse-only wherever they are called from. */
  @Service
  public static class Bookings {
    private final AtomicInteger made = new AtomicInteger();

    /** Bookings made. */
    public int made() {
      return made.get();
    }

    @WriteOperation
    public int book(String listing) {
      return made.incrementAndGet();
    }
  }

  @RestController
  static class Site {
    private final Payments payments;
    private final InstantBook instantBook;
    private final Bookings bookings;

    Site(Payments payments, InstantBook instantBook, Bookings bookings) {
      this.payments = payments;
      this.instantBook = instantBook;
      this.bookings = bookings;
    }

    @GetMapping("/pay/{booking}")
    String pay(@PathVariable String booking) {
      return payments.charge(booking);
    }

    @GetMapping("/search")
    String search(@RequestParam String q) {
      return payments.search(q);
    }

    @GetMapping("/instant/{listing}")
    String instant(@PathVariable String listing) {
      return instantBook.book(listing);
    }

    @GetMapping("/reports")
    String reports() {
      return instantBook.report();
    }

    @PostMapping("/bookings")
    Map<String, Object> book(@RequestParam String listing) {
      return Map.of("booking", bookings.book(listing));
    }

    /** A GET that writes: the filter lets it pass, the @WriteOperation guard refuses it. */
    @GetMapping("/bookings/quick")
    Map<String, Object> quick(@RequestParam String listing) {
      return Map.of("booking", bookings.book(listing));
    }

    @PostMapping("/signin")
    String signIn(@RequestParam String user, HttpSession session) {
      session.setAttribute("user", user);
      return "hello " + user;
    }

    @GetMapping("/me")
    Map<String, Object> me(HttpSession session) {
      return Map.of(
          "user", String.valueOf(session.getAttribute("user")),
          "maxInactive", session.getMaxInactiveInterval());
    }
  }
}
