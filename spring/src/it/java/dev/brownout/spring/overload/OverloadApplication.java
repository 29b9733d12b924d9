package dev.brownout.spring.overload;

import dev.brownout.degrade.ConcurrencyLimit;
import dev.brownout.degrade.Fallback;
import dev.brownout.degrade.Priority;
import jakarta.servlet.http.HttpSession;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.stereotype.Component;
import org.springframework.stereotype.Service;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * What a Boot user writes to limit a vendor's calls and the site's requests, and to rehearse the
 * vendor failing: {@code @ConcurrencyLimit} on a class-based service, a controller, and properties
 * ({@link OverloadIT}). No Brownout wiring. The test holds calls and requests on a {@link Gate}, so
 * that how many are in flight is decided by the test, not by timing.
 */
@SpringBootApplication(
    excludeName = {
      "org.springframework.boot.autoconfigure.session.SessionAutoConfiguration",
      "org.springframework.boot.session.autoconfigure.SessionAutoConfiguration"
    })
public class OverloadApplication {
  /** Open pages, no CSRF tokens for the test client. */
  @Bean
  SecurityFilterChain site(HttpSecurity http) throws Exception {
    return http.authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
        .csrf(csrf -> csrf.disable())
        .build();
  }

  /** Holds the calls and requests that pass it while it is closed, for at most ten seconds. */
  @Component
  public static class Gate {
    private final AtomicInteger waiting = new AtomicInteger();
    private volatile CountDownLatch latch = new CountDownLatch(0);

    /** From now on, whatever passes waits until {@link #open()}. */
    public void close() {
      latch = new CountDownLatch(1);
    }

    /** Lets every waiting call go on. */
    public void open() {
      latch.countDown();
    }

    /** Calls and requests waiting now. */
    public int waiting() {
      return waiting.get();
    }

    void pass() {
      CountDownLatch now = latch;
      waiting.incrementAndGet();
      try {
        if (!now.await(10, TimeUnit.SECONDS)) {
          throw new IllegalStateException("held for ten seconds: the test never opened the gate");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      } finally {
        waiting.decrementAndGet();
      }
    }
  }

  /** A vendor's API: quotes may wait (there is a fallback), orders may not. */
  @Service
  public static class Vendor {
    private final Gate gate;

    Vendor(Gate gate) {
      this.gate = gate;
    }

    @ConcurrencyLimit("vendor")
    @Fallback(QuoteLater.class)
    public String quote(String item) {
      gate.pass();
      return "quote " + item;
    }

    @ConcurrencyLimit(value = "vendor", priority = Priority.CRITICAL)
    public String order(String item) {
      gate.pass();
      return "order " + item;
    }
  }

  /** What a quote answers while the vendor is busy or failing. */
  public static class QuoteLater {
    public String quote(String item) {
      return "quote " + item + " later";
    }
  }

  @RestController
  static class Site {
    private final Gate gate;
    private final Vendor vendor;

    Site(Gate gate, Vendor vendor) {
      this.gate = gate;
      this.vendor = vendor;
    }

    /** A page that takes as long as the test says. */
    @GetMapping("/held")
    String held() {
      gate.pass();
      return "served";
    }

    @GetMapping("/ping")
    String ping() {
      return "pong";
    }

    /** Recommendations: low priority by the properties' routes. */
    @GetMapping("/extras/{what}")
    String extras(@PathVariable String what) {
      return "extra " + what;
    }

    @GetMapping("/order/{item}")
    String order(@PathVariable String item) {
      return vendor.order(item);
    }

    @PostMapping("/signin")
    String signIn(@RequestParam String user, HttpSession session) {
      session.setAttribute("user", user);
      return "hello " + user;
    }

    @GetMapping("/me")
    String me(HttpSession session) {
      return String.valueOf(session.getAttribute("user"));
    }
  }
}
