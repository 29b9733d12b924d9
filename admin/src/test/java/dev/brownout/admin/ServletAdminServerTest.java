package dev.brownout.admin;

import dev.brownout.admin.servlet.AdminServlet;
import dev.brownout.core.admin.AdminApi;
import java.net.URI;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** The admin contract on the Servlet adapter, mounted below a context path in a real Jetty 12. */
class ServletAdminServerTest extends AdminHttpContract {
  private Server server;

  @Override
  URI start(AdminApi api, int maxBodyBytes) throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/app");
    context.addServlet(new ServletHolder(new AdminServlet(api, maxBodyBytes)), "/brownout/*");
    server.setHandler(context);
    server.start();
    return URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/app/brownout/");
  }

  @Override
  void stop() throws Exception {
    server.stop();
  }
}
