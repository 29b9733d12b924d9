package dev.brownout.site.guides;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.admin.AdminServer;
import dev.brownout.admin.servlet.AdminServlet;
import dev.brownout.core.admin.AdminApi;
import dev.brownout.core.admin.AdminResponse;
import dev.brownout.core.admin.AdminRoute;
import dev.brownout.core.admin.ProblemException;
import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.degrade.ReadMode;
import dev.brownout.flags.Flags;
import dev.brownout.state.InMemoryStateStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;

/** The admin API guide: the embedded server, the servlet, and a route of your own. */
class AdminGuideTest {
  static final String TOKEN = GettingStartedTest.WRITE_TOKEN;
  final HttpClient http = HttpClient.newHttpClient();

  HttpResponse<String> get(URI uri) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + TOKEN).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theEmbeddedServerAndTheServletServeTheSameApi() throws Exception {
    BrownoutConfig config = BrownoutConfig.load();
    BrownoutMetrics metrics = BrownoutMetrics.inMemory();
    try (InMemoryStateStore store = InMemoryStateStore.create();
        Flags flags = Flags.builder(store).config(config).build();
        ReadMode readMode = ReadMode.builder(store).config(config).build()) {
      // tag::embedded[]
      AdminApi api =
          AdminApi.builder()
              .config(config)
              .routes(flags.adminRoutes())
              .routes(readMode.adminRoutes())
              .build();
      AdminServer server = AdminServer.builder(api).config(config).metrics(metrics).start();
      // end::embedded[]
      try (server) {
        assertThat(get(server.uri().resolve("api/v1/read-mode")).statusCode()).isEqualTo(200);
      }

      Server jetty = new Server();
      ServerConnector connector = new ServerConnector(jetty);
      connector.setHost("127.0.0.1");
      jetty.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler("/");
      // tag::servlet[]
      context.addServlet(new ServletHolder(new AdminServlet(api)), "/brownout/*");
      // GET /brownout/api/v1 is the route index
      // end::servlet[]
      jetty.setHandler(context);
      jetty.start();
      try {
        HttpResponse<String> index =
            get(URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/brownout/api/v1"));
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.body()).contains("read-mode.get");
      } finally {
        jetty.stop();
      }
    }
  }

  record Widget(String colour) {}

  @Test
  void aRouteOfYourOwnGetsTheSameChecksAndAuditTrail() throws Exception {
    Map<String, Widget> widgets = new ConcurrentHashMap<>(Map.of("w1", new Widget("red")));
    // tag::own-route[]
    AdminRoute get =
        AdminRoute.get(
            "/api/v1/widgets/{name}",
            "widgets.get",
            "One widget.",
            request -> {
              Widget widget = widgets.get(request.pathParam("name"));
              if (widget == null) {
                throw ProblemException.notFound("no widget " + request.pathParam("name"));
              }
              return AdminResponse.ok(widget).withETag("\"" + widget.hashCode() + "\"");
            });
    AdminRoute put =
        AdminRoute.write(
            "PUT",
            "/api/v1/widgets/{name}",
            "widgets.put",
            "Replace a widget.",
            request -> {
              String name = request.pathParam("name");
              Widget before = widgets.get(name);
              if (before != null) {
                request.checkIfMatch("\"" + before.hashCode() + "\""); // 412 if stale
              }
              Widget after = request.body(Widget.class); // 400 problem+json if it does not fit
              widgets.put(name, after);
              return AdminResponse.ok(after).withChange("widget " + name, before, after);
            });
    AdminApi api = AdminApi.builder().config(BrownoutConfig.load()).routes(get, put).build();
    // end::own-route[]
    try (AdminServer server = AdminServer.start(api, BrownoutConfig.load())) {
      HttpResponse<String> widget = get(server.uri().resolve("api/v1/widgets/w1"));
      assertThat(widget.statusCode()).isEqualTo(200);
      HttpResponse<String> stale =
          http.send(
              HttpRequest.newBuilder(server.uri().resolve("api/v1/widgets/w1"))
                  .header("Authorization", "Bearer " + TOKEN)
                  .header("Content-Type", "application/json")
                  .header("If-Match", "\"stale\"")
                  .PUT(HttpRequest.BodyPublishers.ofString("{\"colour\":\"blue\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(stale.statusCode()).isEqualTo(412);
      assertThat(widgets.get("w1").colour()).isEqualTo("red");
      assertThat(get(server.uri().resolve("api/v1/widgets/w2")).statusCode()).isEqualTo(404);
    }
  }
}
