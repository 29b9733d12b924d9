package dev.brownout.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.state.InMemoryStateStore;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.arbitraries.StringArbitrary;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** Whatever a client sends as its session id, it gets a fresh session and never a 5xx. */
class SessionIdProperties {
  static InMemoryStateStore store;
  static Sessions cookies;
  static Sessions headers;
  static SessionServer cookieServer;
  static SessionServer headerServer;

  @BeforeContainer
  static void start() {
    store = InMemoryStateStore.create();
    cookies = Sessions.builder(store).build();
    headers =
        Sessions.builder(store)
            .config(
                SessionContract.config().set(SessionConfig.HEADER_NAME, "X-Session-Token").build())
            .build();
    cookieServer = new SessionServer(cookies);
    headerServer = new SessionServer(headers);
  }

  @AfterContainer
  static void stop() {
    cookieServer.close();
    headerServer.close();
    cookies.close();
    headers.close();
  }

  @Provide
  Arbitrary<String> headerText() {
    Arbitrary<String> ascii = Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(80);
    Arbitrary<String> idShaped =
        Arbitraries.strings()
            .withCharRange('A', 'Z')
            .withCharRange('a', 'z')
            .withCharRange('0', '9')
            .withChars('-', '_')
            .ofLength(27);
    return Arbitraries.oneOf(
        ascii,
        ascii.map(s -> "SESSION=" + s),
        idShaped.map(s -> "SESSION=" + s),
        idShaped.map(s -> "SESSION=\"" + s + "\"; SESSION=" + s + "; other=1"),
        Arbitraries.strings().withCharRange('\u00a0', '\u00ff').ofMaxLength(20));
  }

  static SessionServer.Reply send(SessionServer server, String name, String value) {
    try {
      return server.send("", null, List.of(name, value));
    } catch (IllegalArgumentException e) {
      Assume.that(false); // the HTTP client itself refuses this header value
      throw e;
    }
  }

  @Property(tries = 300)
  void anyCookieGetsAFreshSession(@ForAll("headerText") String cookie) {
    SessionServer.Reply reply = send(cookieServer, "Cookie", cookie);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body()).isEmpty();
    assertThat(reply.newId())
        .hasValueSatisfying(id -> assertThat(SessionIds.wellFormed(id)).isTrue());
  }

  @Property(tries = 300)
  void anyTokenHeaderGetsAFreshSession(@ForAll("headerText") String token) {
    SessionServer.Reply reply = send(headerServer, "X-Session-Token", token);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body()).isEmpty();
    assertThat(reply.raw().headers().firstValue("X-Session-Token"))
        .hasValueSatisfying(id -> assertThat(SessionIds.wellFormed(id)).isTrue());
  }

  @Property(tries = 1000)
  void anIdIsWellFormedExactlyWhenItIsAKeyAndSecretOrABareKey(
      @ForAll("nearlyIds") String candidate) {
    assertThat(SessionIds.wellFormed(candidate))
        .isEqualTo(candidate.matches("[A-Za-z0-9_-]{27}(\\.[A-Za-z0-9_-]{22})?"));
  }

  @Property(tries = 300)
  void aForgedSecretForARealKeyOpensNothing(@ForAll("secrets") String secret) {
    SessionServer.Reply created = cookieServer.get("set=owner:ada", null);
    String id = created.newId().orElseThrow();
    String forged = SessionIds.key(id) + "." + secret;
    Assume.that(!forged.equals(id));
    SessionServer.Reply reply = cookieServer.get("peek", forged);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body()).isEqualTo("none");
    assertThat(cookieServer.get("peek", SessionIds.key(id)).body())
        .as("nor does the bare key")
        .isEqualTo("none");
  }

  @Provide
  Arbitrary<String> secrets() {
    return Arbitraries.strings()
        .withCharRange('A', 'Z')
        .withCharRange('a', 'z')
        .withCharRange('0', '9')
        .withChars('_', '-')
        .ofLength(22);
  }

  @Provide
  Arbitrary<String> nearlyIds() {
    // Mostly the id alphabet, sometimes a character outside it, around the right lengths.
    StringArbitrary part =
        Arbitraries.strings()
            .withCharRange('A', 'Z')
            .withCharRange('a', 'z')
            .withCharRange('0', '9')
            .withChars('_', '-', '+', '/', '=', ' ', '.', '\u00e9', '\u0000');
    Arbitrary<String> key = part.ofMinLength(25).ofMaxLength(29);
    Arbitrary<String> secret = part.ofMinLength(20).ofMaxLength(24);
    return Arbitraries.oneOf(
        key,
        Combinators.combine(key, secret).as((k, s) -> k + "." + s),
        Combinators.combine(key, secret).as((k, s) -> k + s));
  }
}
