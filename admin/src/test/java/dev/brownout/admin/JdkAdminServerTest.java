package dev.brownout.admin;

import dev.brownout.core.admin.AdminApi;
import java.net.InetAddress;
import java.net.URI;

/** The admin contract on the embedded JDK server. */
class JdkAdminServerTest extends AdminHttpContract {
  private AdminServer server;

  @Override
  URI start(AdminApi api, int maxBodyBytes) {
    server =
        AdminServer.builder(api)
            .bindAddress(InetAddress.getLoopbackAddress().getHostAddress())
            .port(0)
            .maxBodyBytes(maxBodyBytes)
            .start();
    return server.uri();
  }

  @Override
  void stop() {
    server.close();
  }
}
