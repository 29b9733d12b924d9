package dev.brownout.site.guides;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.session.SessionHandle;
import dev.brownout.session.Sessions;
import dev.brownout.state.redis.RedisStateStore;
import dev.brownout.state.testservers.RedisTestServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;

/** The session guide: the filter in front of HttpSession code, and a session outside a request. */
class SessionGuideTest {
  /** Code written for HttpSession, unchanged. */
  static final class SignIn extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      request.getSession().setAttribute("user", request.getParameter("user"));
      response.getWriter().print("signed in");
    }
  }

  @Test
  void theFilterKeepsHttpSessionsInRedis() throws Exception {
    MeterRegistry meterRegistry = new SimpleMeterRegistry();
    try (RedisTestServer redis = new RedisTestServer()) {
      String redisUri = redis.uri();
      Server jetty = new Server();
      ServerConnector connector = new ServerConnector(jetty);
      connector.setHost("127.0.0.1");
      jetty.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler("/");
      context.addServlet(new ServletHolder(new SignIn()), "/signin");
      // tag::filter[]
      RedisStateStore store =
          RedisStateStore.builder()
              .uri(redisUri) // redis://sessions.internal:6379
              .connectLazily() // start even while Redis is down
              .build();
      Sessions sessions =
          Sessions.builder(store)
              .config(BrownoutConfig.load()) // reads brownout.session.*
              .maxInactive(Duration.ofMinutes(30)) // or any key, typed; setters win over the config
              .metrics(BrownoutMetrics.of(meterRegistry))
              .build();

      // Jetty, Tomcat, Undertow…: first in the chain, on every path, for REQUEST dispatches.
      context.addFilter(
          new FilterHolder(sessions.filter()), "/*", EnumSet.of(DispatcherType.REQUEST));
      // end::filter[]
      jetty.setHandler(context);
      jetty.start();
      try (store;
          sessions) {
        HttpResponse<String> signIn =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/signin"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("user=ada"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(signIn.body()).isEqualTo("signed in");
        assertThat(signIn.headers().firstValue("Set-Cookie")).isPresent();
        assertThat(redis.commandCounts()).isNotEmpty();

        SessionHandle created = sessions.repository().create(Duration.ofMinutes(30));
        created.setAttribute("user", "bob").save();
        String sessionId = created.id();
        // tag::outside-a-request[]
        // id: the whole id, as HttpSession.getId() gives it (a key alone does not open a session)
        SessionHandle session = sessions.repository().open(sessionId).orElseThrow(); // one read
        session.setAttribute("notified", true).save(); // one atomic delta
        // end::outside-a-request[]
        assertThat(sessions.repository().open(sessionId).orElseThrow().attribute("notified"))
            .isEqualTo(true);
      } finally {
        jetty.stop();
      }
    }
  }
}
