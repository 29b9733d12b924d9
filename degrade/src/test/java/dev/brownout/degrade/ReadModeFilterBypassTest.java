package dev.brownout.degrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Browse-only cannot be bypassed through the path: every form a probe of the demo used, and more,
 * sent as written to a real Jetty. Writes reach only the allow-listed paths, as the container
 * dispatches them.
 */
class ReadModeFilterBypassTest {
  ReadModeFilterPaths site;

  @BeforeEach
  void start() throws Exception {
    site = new ReadModeFilterPaths();
    site.browseOnly();
  }

  @AfterEach
  void stop() throws Exception {
    site.close();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/bookings",
        "/signin/../bookings",
        "/signout/../bookings",
        "/signin;/../bookings",
        "/signin;x=1/../bookings",
        "/signin/x/../../bookings",
        "/signin/./../bookings",
        "//signin/../bookings",
        "/signin/%2e%2e/bookings",
        "/signin/.%2e/bookings",
        "/signin/%2E%2E/bookings",
        "/signin%2f..%2fbookings",
        "/signin%2F..%2Fbookings",
        "/./bookings",
        "/signinX",
        "/signin-and-book",
        "/SIGNIN",
        "/signin/../signin/../bookings",
        "/bookings;/signin",
        "/bookings?next=/signin",
        "/bookings#/signin",
        "http://127.0.0.1/signin/../bookings"
      })
  void aWriteOutsideTheAllowListIsRefusedWhateverThePathLooksLike(String target) throws Exception {
    int status = site.send("POST", target);

    assertThat(status / 100).as("POST %s answered %s", target, status).isNotEqualTo(2);
    assertThat(site.writesOutsideTheAllowList()).as("writes that reached the application").isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/signin", "/signin/", "/signin/callback", "/signout", "/a/../signin"})
  void writesToAllowListedPathsPass(String target) throws Exception {
    assertThat(site.send("POST", target)).as("POST %s", target).isEqualTo(200);
  }

  @Test
  void traceIsRefusedInEveryMode() throws Exception {
    assertThat(site.send("TRACE", "/listings")).isEqualTo(405);
    site.readMode.leave("db-move");
    assertThat(site.send("TRACE", "/listings")).isEqualTo(405);
    assertThat(site.send("GET", "/listings")).isEqualTo(200);
  }

  @Test
  void allowListedPathsMustBePlainSegments() {
    for (String bad : List.of("signin", "/", "/signin/../x", "/a//b", "/sign;in", "/%2e")) {
      assertThatThrownBy(
              () -> new ReadModeFilter(site.readMode, List.of(bad), Duration.ofSeconds(1)))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void retryAfterIsBoundedWhateverTheEta() {
    Instant now = Instant.parse("2026-12-01T12:00:00Z");
    assertThat(
            ReadModeFilter.retryAfter(
                Instant.parse("1970-01-01T00:00:12Z"), now, Duration.ofMinutes(1)))
        .hasSeconds(1);
    assertThat(ReadModeFilter.retryAfter(now.plus(Duration.ofDays(29)), now, Duration.ofMinutes(1)))
        .isEqualTo(ReadModeFilter.MAX_RETRY_AFTER);
    assertThat(ReadModeFilter.retryAfter(null, now, Duration.ofMinutes(1))).hasMinutes(1);
  }
}
