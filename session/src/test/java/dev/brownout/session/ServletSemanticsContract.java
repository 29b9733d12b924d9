package dev.brownout.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.state.InMemoryStateStore;
import jakarta.servlet.http.HttpSessionAttributeListener;
import jakarta.servlet.http.HttpSessionBindingEvent;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionListener;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the servlet specification promises of {@code HttpSession}, kept by the session filter on a
 * real container. Each container's test class says how to start one.
 */
abstract class ServletSemanticsContract {
  final InMemoryStateStore store = InMemoryStateStore.create();
  final List<String> heard = new CopyOnWriteArrayList<>();
  final List<AutoCloseable> closing = new ArrayList<>();

  /** The application on this container. */
  abstract SessionServer start(Sessions sessions);

  final class Listening implements HttpSessionListener, HttpSessionAttributeListener {
    @Override
    public void sessionCreated(HttpSessionEvent event) {
      heard.add("created");
    }

    @Override
    public void sessionDestroyed(HttpSessionEvent event) {
      // Destroyed is told first, while the attributes can still be read.
      heard.add("destroyed with " + event.getSession().getAttribute("a"));
    }

    @Override
    public void attributeAdded(HttpSessionBindingEvent event) {
      heard.add("added " + event.getName());
    }

    @Override
    public void attributeRemoved(HttpSessionBindingEvent event) {
      heard.add("removed " + event.getName() + " was " + event.getValue());
    }
  }

  SessionServer server(Sessions.Builder builder) {
    Sessions sessions =
        builder
            .codec(JsonSessionCodec.builder().register("bound", SessionServer.Bound.class).build())
            .listener(new Listening())
            .build();
    SessionServer server = start(sessions);
    closing.add(0, sessions);
    closing.add(0, server);
    return server;
  }

  SessionServer server() {
    return server(Sessions.builder(store));
  }

  @BeforeEach
  void clear() {
    SessionServer.UNBOUND.clear();
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  @Test
  void invalidateTellsTheListenersAndUnbindsEveryValueEvenOnesNotReadInThisRequest() {
    SessionServer server = server();
    String id = server.get("set=a:1&bind=b", null).newId().orElseThrow();
    heard.clear();

    assertThat(server.get("invalidate", id).body()).isEqualTo("invalidated");
    assertThat(heard)
        .startsWith("destroyed with 1")
        .contains("removed a was 1", "removed b was bound:b")
        .hasSize(3);
    assertThat(SessionServer.UNBOUND).containsExactly("b");
    assertThat(server.get("peek", id).body()).isEqualTo("none");
  }

  @Test
  void isNewHoldsForTheWholeOfTheFirstRequestEvenAfterTheSaveAtCommit() {
    SessionServer server = server();
    SessionServer.Reply first = server.get("newcheck", null);
    assertThat(first.body()).isEqualTo("new=true");
    String id = first.newId().orElseThrow();
    assertThat(server.get("newcheck", id).body()).isEqualTo("new=false");
  }

  @Test
  void aResponseSendsOneSessionCookieWhateverTheRequestDid() {
    SessionServer server = server();
    SessionServer.Reply signIn = server.get("login=ada", null);
    assertThat(signIn.setCookies()).as("new session, then a new id").hasSize(1);
    String id = signIn.newId().orElseThrow();

    SessionServer.Reply again = server.get("set=a:1&login=ada&rotate", id);
    assertThat(again.setCookies()).as("two id changes on a stored session").hasSize(1);
    String rotated = again.newId().orElseThrow();
    assertThat(server.get("peek", id).body()).isEqualTo("none");
    assertThat(server.get("peek", rotated).body()).isEqualTo("a=1");

    SessionServer.Reply renewed = server.get("renew", rotated);
    assertThat(renewed.setCookies()).as("invalidated, then a new session").hasSize(1);
    String fresh = renewed.newId().orElseThrow();
    assertThat(fresh).isNotEqualTo(rotated);
    assertThat(server.get("peek", rotated).body()).as("the old session is gone").isEqualTo("none");
    assertThat(server.get("peek", fresh).body()).isEqualTo("fresh=yes");

    SessionServer.Reply unchanged = server.get("peek", fresh);
    assertThat(unchanged.setCookies()).as("nothing new to tell").isEmpty();
  }

  @Test
  void aChangeThatCannotBeSavedIsRefusedEvenWhenTheLengthWasSetAsAHeader() {
    SwitchableStore switchable = new SwitchableStore(store);
    SessionServer server = server(Sessions.builder(switchable));
    String id = server.get("set=a:1&sized", null).newId().orElseThrow();
    assertThat(server.get("peek", id).body()).isEqualTo("a=1");

    switchable.down();
    SessionServer.Reply refused = server.get("set=a:2&sized", id);
    assertThat(refused.status())
        .as("the save comes before the last byte commits the response: " + refused.body())
        .isEqualTo(503);
    assertThat(refused.body()).contains("session-store-unavailable");
    switchable.up();
    assertThat(server.get("peek", id).body()).as("nothing was changed").isEqualTo("a=1");
  }

  @Test
  void theSecureFlagCanBeForcedBehindAProxyThatEndsTls() {
    SessionServer always =
        server(Sessions.builder(store).cookieSecure(SessionConfig.CookieSecure.ALWAYS));
    assertThat(always.get("", null).setCookies().get(0)).contains("; Secure");

    SessionServer auto = server();
    assertThat(auto.get("", null).setCookies().get(0)).doesNotContain("Secure");
    assertThat(auto.send("", null, List.of("X-Forwarded-Proto", "https")).setCookies().get(0))
        .contains("; Secure");

    SessionServer never =
        server(Sessions.builder(store).cookieSecure(SessionConfig.CookieSecure.NEVER));
    assertThat(never.send("", null, List.of("X-Forwarded-Proto", "https")).setCookies().get(0))
        .doesNotContain("Secure");
  }
}
