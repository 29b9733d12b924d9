package dev.brownout.examples.drill;

import dev.brownout.examples.booking.Database;
import dev.brownout.examples.booking.PaymentService;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The money, checked from both sides: the booking database, and the books of every payment
 * provider. Every booking that stands is charged exactly once across all providers, and its
 * recorded payment is that charge; no provider charged a booking that does not stand.
 */
final class Books {
  private final Database database;
  private final List<PaymentService> providers;

  Books(Database database, List<PaymentService> providers) {
    this.database = database;
    this.providers = providers;
  }

  /** Charges by booking, across every provider. */
  Map<Long, List<String>> charges() {
    Map<Long, List<String>> all = new HashMap<>();
    for (PaymentService provider : providers) {
      provider
          .charges()
          .forEach(
              (booking, ids) -> all.computeIfAbsent(booking, b -> new ArrayList<>()).addAll(ids));
    }
    return all;
  }

  /** The checks, as text and outcome, once every pending charge is taken. */
  void check(Set<Long> acknowledged, Set<Long> declinedAnswers, Checks checks) throws SQLException {
    Map<Long, String> payments = database.payments();
    Map<Long, List<String>> charges = charges();
    long missing = acknowledged.stream().filter(id -> !payments.containsKey(id)).count();
    checks.add(
        "every acknowledged booking is in the database ("
            + acknowledged.size()
            + " acknowledged, "
            + payments.size()
            + " stored, "
            + missing
            + " missing)",
        missing == 0);

    List<String> wrong = new ArrayList<>();
    int standing = 0;
    int declined = 0;
    Map<String, Integer> byProvider = new HashMap<>();
    for (Map.Entry<Long, String> row : payments.entrySet()) {
      List<String> taken = charges.getOrDefault(row.getKey(), List.of());
      if (row.getValue().equals("declined")) {
        declined++;
        if (!taken.isEmpty()) {
          wrong.add("declined booking " + row.getKey() + " was charged " + taken);
        }
        continue;
      }
      standing++;
      if (taken.size() != 1) {
        wrong.add("booking " + row.getKey() + " was charged " + taken.size() + " times " + taken);
      } else if (!taken.get(0).equals(row.getValue())) {
        wrong.add(
            "booking "
                + row.getKey()
                + " records "
                + row.getValue()
                + " but was charged "
                + taken.get(0));
      } else {
        byProvider.merge(
            taken.get(0).substring(0, taken.get(0).indexOf("-charge-")), 1, Integer::sum);
      }
    }
    for (Long booking : charges.keySet()) {
      if (!payments.containsKey(booking)) {
        wrong.add("booking " + booking + " was charged but does not exist");
      }
    }
    for (Long booking : declinedAnswers) {
      if (!"declined".equals(payments.get(booking))) {
        wrong.add("booking " + booking + " was answered declined but is " + payments.get(booking));
      }
    }
    checks.add(
        "every booking that stands was charged exactly once across the providers, as recorded ("
            + standing
            + " bookings: "
            + byProvider
            + "; "
            + declined
            + " declined, charged nowhere)",
        wrong.isEmpty());
    checks.add(
        "no charge without a booking that stands",
        charges.keySet().stream()
            .allMatch(b -> payments.containsKey(b) && !payments.get(b).equals("declined")));
    for (String problem : wrong.subList(0, Math.min(10, wrong.size()))) {
      checks.detail(problem);
    }
  }

  /** Repeated idempotency keys the providers answered with their first answer. */
  long replays() {
    return providers.stream().mapToLong(PaymentService::replays).sum();
  }
}
