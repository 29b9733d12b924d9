package com.example.stays;

import dev.brownout.core.guard.GuardedProxies;
import dev.brownout.degrade.CircuitBreaker;
import dev.brownout.degrade.ReadMode;
import dev.brownout.degrade.ReadOnlyModeException;
import dev.brownout.degrade.ReadOnlyReason;
import dev.brownout.degrade.ReadOnlySafe;
import dev.brownout.degrade.Resilience;
import dev.brownout.degrade.Retry;
import dev.brownout.degrade.WriteOperation;
import dev.brownout.flags.FlagContext;
import dev.brownout.flags.FlagDefinition;
import dev.brownout.flags.Flags;
import dev.brownout.state.InMemoryStateStore;
import dev.brownout.state.StateStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A user's application: a flag, a guarded call to a flaky provider, and browse-only mode, checked
 * as it goes. Exits non-zero (failing the consumer test) on the first thing that is not as a user
 * would expect.
 */
public final class Main {
  private Main() {}

  /** The payment provider, as the application calls it. */
  public interface PaymentApi {
    @Retry("payments")
    @CircuitBreaker("payments")
    String charge(String booking) throws IOException;
  }

  /** The application's own service: booking writes, browsing does not. */
  public interface Bookings {
    @WriteOperation
    String book(String listing);

    @ReadOnlySafe
    List<String> listings();
  }

  public static void main(String[] args) throws Exception {
    String expected = System.getProperty("stays.expect", "class-path");
    String actual = Flags.class.getModule().isNamed() ? "module-path" : "class-path";
    check(
        expected.equals(actual),
        "Brownout was loaded from the " + actual + ", not the " + expected);
    if (actual.equals("module-path")) {
      check(
          "dev.brownout.flags".equals(Flags.class.getModule().getName()),
          "brownout-flags is the module " + Flags.class.getModule().getName());
    }

    try (StateStore store = InMemoryStateStore.create();
        Flags flags = Flags.builder(store).build();
        Resilience resilience =
            Resilience.builder(store).circuitBreaker("payments").retry("payments").build();
        ReadMode readMode = ReadMode.builder(store).build()) {

      // A flag, through its JSON form (Jackson reads Brownout's types: the module's opens).
      FlagDefinition rollout = FlagDefinition.rollout("new-checkout", 25);
      flags.admin().create(FlagDefinition.fromJson(rollout.toJson()));
      long on = 0;
      for (int i = 0; i < 1000; i++) {
        on += flags.isEnabled("new-checkout", FlagContext.of("user-" + i)) ? 1 : 0;
      }
      check(on > 150 && on < 350, "a 25 % rollout enabled " + on + " of 1000 users");
      check(!flags.isEnabled("no-such-flag", FlagContext.of("user-1")), "an unknown flag is on");

      // A guarded client: the first attempt fails, the retry succeeds.
      AtomicInteger calls = new AtomicInteger();
      PaymentApi provider =
          booking -> {
            if (calls.incrementAndGet() == 1) {
              throw new IOException("connection reset");
            }
            return "charge-" + booking;
          };
      PaymentApi payments =
          GuardedProxies.builder()
              .add(resilience.guards())
              .build()
              .proxy(PaymentApi.class, provider);
      String charge = payments.charge("booking-7");
      check("charge-booking-7".equals(charge) && calls.get() == 2, "guarded call gave " + charge);

      // Browse-only: reads go on, writes are refused and write nothing.
      List<String> booked = new ArrayList<>();
      Bookings database =
          new Bookings() {
            @Override
            public String book(String listing) {
              booked.add(listing);
              return "booking-" + booked.size();
            }

            @Override
            public List<String> listings() {
              return List.of("loft", "cabin");
            }
          };
      Bookings bookings =
          GuardedProxies.builder().add(readMode.guards()).build().proxy(Bookings.class, database);
      readMode.enter(
          ReadOnlyReason.builder("db-move", ReadOnlyReason.Kind.MAINTENANCE)
              .source("consumer-test")
              .message("Bookings are paused while we move the database.")
              .build());
      check(readMode.isBrowseOnly(), "not browse-only after enter");
      check(bookings.listings().size() == 2, "browsing failed in browse-only mode");
      try {
        bookings.book("loft");
        check(false, "a write went through in browse-only mode");
      } catch (ReadOnlyModeException expectedRefusal) {
        check(booked.isEmpty(), "a refused write was written");
      }
      readMode.leave("db-move");
      check("booking-1".equals(bookings.book("loft")), "a write failed after leaving browse-only");
    }

    System.out.println(
        "consumer-test ok on the "
            + actual
            + " (Jackson "
            + versionOf("com.fasterxml.jackson.databind.ObjectMapper")
            + ", Micrometer "
            + versionOf("io.micrometer.core.instrument.MeterRegistry")
            + ", Resilience4j "
            + versionOf("io.github.resilience4j.circuitbreaker.CircuitBreaker")
            + ")");
  }

  private static String versionOf(String className) throws ClassNotFoundException {
    Class<?> type = Class.forName(className);
    return type.getModule().getDescriptor() != null
            && type.getModule().getDescriptor().rawVersion().isPresent()
        ? type.getModule().getDescriptor().rawVersion().get()
        : String.valueOf(type.getPackage().getImplementationVersion());
  }

  private static void check(boolean condition, String failure) {
    if (!condition) {
      throw new AssertionError("consumer-test: " + failure);
    }
  }
}
