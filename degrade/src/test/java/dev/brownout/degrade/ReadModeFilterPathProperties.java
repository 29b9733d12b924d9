package dev.brownout.degrade;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * For generated paths, the filter decides as it would for the path the container dispatches: a
 * write passes exactly when its dispatched path is allow-listed, whatever the raw form.
 */
class ReadModeFilterPathProperties {
  static ReadModeFilterPaths site;

  @BeforeContainer
  static void start() throws Exception {
    site = new ReadModeFilterPaths();
    site.browseOnly();
  }

  @AfterContainer
  static void stop() throws Exception {
    site.close();
  }

  @Provide
  Arbitrary<String> paths() {
    Arbitrary<String> segment =
        Arbitraries.oneOf(
            Arbitraries.of(
                "signin",
                "signout",
                "bookings",
                "..",
                ".",
                "%2e%2e",
                ".%2e",
                "%2e",
                "",
                "signinX",
                "callback",
                "signin;",
                "x;y=1",
                "%2f",
                "SIGNIN",
                "a",
                "b%20c",
                "%2fsignin",
                ";"),
            Arbitraries.strings().withChars("abs/.;%2e").ofMinLength(1).ofMaxLength(6));
    return segment.list().ofMinSize(1).ofMaxSize(6).map(parts -> "/" + String.join("/", parts));
  }

  @Property(tries = 300)
  void aWritePassesExactlyWhenItsDispatchedPathIsAllowListed(@ForAll("paths") String path)
      throws Exception {
    int get = site.send("GET", path);
    String dispatched = site.dispatched.get(path);
    int post = site.send("POST", path);
    if (get != 200 || dispatched == null) {
      // The container refused the path itself (an ambiguous or malformed URI): no write passes.
      assertThat(post).as("POST %s after GET answered %s", path, get).isNotEqualTo(200);
      return;
    }
    boolean allowed = site.filter.allows(dispatched);
    assertThat(post == 200).as("POST %s (dispatched as %s)", path, dispatched).isEqualTo(allowed);
    assertThat(site.writesOutsideTheAllowList()).isZero();
  }
}
