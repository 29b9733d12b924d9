package dev.brownout.examples;

import dev.brownout.core.admin.AdminRequest;
import dev.brownout.core.admin.AdminResponse;
import dev.brownout.core.admin.AdminRoute;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** A greeting that can be read and changed through the admin API, with ETags and an audit trail. */
final class GreetingRoutes {
  /** The greeting and its version. */
  record Greeting(String text, long version) {}

  /** What a caller sends to change it. */
  record GreetingChange(String text) {}

  private final AtomicReference<Greeting> greeting =
      new AtomicReference<>(new Greeting("Hello", 1));

  List<AdminRoute> routes() {
    return List.of(
        AdminRoute.get(
            "/api/v1/demo/greeting", "demo.greeting.get", "The demo greeting.", this::get),
        AdminRoute.write(
            "PUT",
            "/api/v1/demo/greeting",
            "demo.greeting.put",
            "Change the demo greeting.",
            this::put));
  }

  private AdminResponse get(AdminRequest request) {
    Greeting current = greeting.get();
    return AdminResponse.ok(current).withETag("v" + current.version());
  }

  private synchronized AdminResponse put(AdminRequest request) {
    GreetingChange change = request.body(GreetingChange.class);
    if (change.text() == null || change.text().isBlank() || change.text().length() > 200) {
      throw new IllegalArgumentException("text must be 1 to 200 characters");
    }
    Greeting before = greeting.get();
    request.checkIfMatch("\"v" + before.version() + "\"");
    Greeting after = new Greeting(change.text(), before.version() + 1);
    greeting.set(after);
    return AdminResponse.ok(after)
        .withETag("v" + after.version())
        .withChange("demo greeting", before, after);
  }
}
