package dev.brownout.flags;

import dev.brownout.core.admin.AdminApi;
import dev.brownout.core.admin.AdminRequest;
import dev.brownout.core.admin.AdminResponse;
import dev.brownout.core.admin.AdminRoute;
import dev.brownout.core.admin.AuditSink;
import dev.brownout.core.admin.BearerTokenAuthenticator;
import dev.brownout.core.json.JsonCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** An admin API over some routes, called as a transport would, for the route tests. */
final class AdminCalls {
  static final String READ = "read-token-0123456789abcdef";
  static final String WRITE = "write-token-0123456789abcdef";

  private final AdminApi api;

  AdminCalls(List<AdminRoute> routes, AuditSink audit) {
    this.api =
        AdminApi.builder()
            .authenticator(
                BearerTokenAuthenticator.builder()
                    .readToken("viewer", READ)
                    .writeToken("ops", WRITE)
                    .build())
            .auditSink(audit)
            .routes(routes)
            .build();
  }

  AdminResponse call(String method, String path, String token, String body, String... headers) {
    int query = path.indexOf('?');
    AdminRequest.Builder request =
        AdminRequest.builder(method, query < 0 ? path : path.substring(0, query))
            .rawQuery(query < 0 ? null : path.substring(query + 1))
            .header("Authorization", "Bearer " + token);
    if (body != null) {
      request.body(body).header("Content-Type", "application/json");
    }
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return api.handle(request.build());
  }

  AdminResponse write(String method, String path, String body, String... headers) {
    return call(method, path, WRITE, body, headers);
  }

  AdminResponse read(String path) {
    return call("GET", path, READ, null);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> json(AdminResponse response) {
    return JsonCodec.standard()
        .decode(new String(response.body(), StandardCharsets.UTF_8), Map.class);
  }

  static String text(AdminResponse response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }
}
