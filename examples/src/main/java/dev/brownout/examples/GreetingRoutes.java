package dev.brownout.examples;

import dev.brownout.core.admin.AdminRequest;
import dev.brownout.core.admin.AdminResponse;
import dev.brownout.core.admin.AdminRoute;
import dev.brownout.flags.FlagContext;
import dev.brownout.flags.Flags;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** A greeting that can be read and changed through the admin API, with ETags and an audit trail. */
final class GreetingRoutes {
  /** The greeting and its version. */
  record Greeting(String text, long version) {}

  /** What a caller sends to change it. */
  record GreetingChange(String text) {}

  /** The greeting as a user sees it, with the features on for them. */
  record PersonalGreeting(String text, long version, String user, boolean instantBook) {}

  private final AtomicReference<Greeting> greeting =
      new AtomicReference<>(new Greeting("Hello", 1));
  private final Flags flags;

  GreetingRoutes(Flags flags) {
    this.flags = flags;
  }

  List<AdminRoute> routes() {
    return List.of(
        AdminRoute.get(
            "/api/v1/demo/greeting",
            "demo.greeting.get",
            "The demo greeting for ?user=, with the features on for them.",
            this::get),
        AdminRoute.write(
            "PUT",
            "/api/v1/demo/greeting",
            "demo.greeting.put",
            "Change the demo greeting.",
            this::put));
  }

  private AdminResponse get(AdminRequest request) {
    Greeting current = greeting.get();
    String user = request.query("user").orElse("anonymous");
    boolean instantBook = flags.isEnabled("instant-book", FlagContext.of(user));
    return AdminResponse.ok(
            new PersonalGreeting(current.text(), current.version(), user, instantBook))
        .withETag("v" + current.version());
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
