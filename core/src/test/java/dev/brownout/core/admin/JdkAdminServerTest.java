package dev.brownout.core.admin;

import java.net.InetAddress;
import java.net.URI;

/** The admin contract on the embedded JDK server. */
class JdkAdminServerTest extends AdminHttpContract {
  private AdminServer server;

  @Override
  URI start(AdminApi api, int maxBodyBytes) {
    server =
        AdminServer.start(
            api, InetAddress.getLoopbackAddress().getHostAddress(), 0, 2, maxBodyBytes);
    return server.uri();
  }

  @Override
  void stop() {
    server.close();
  }
}
