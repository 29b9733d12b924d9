package dev.brownout.degrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.core.time.ManualClock;
import dev.brownout.state.InMemoryStateStore;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Browse-only exactly while some reason is active; no operation on one reason disturbs another. */
class ReasonAlgebraProperties {
  record Op(String kind, String id, int seconds) {}

  @Provide
  Arbitrary<List<Op>> ops() {
    return Combinators.combine(
            Arbitraries.of("enter-manual", "enter-leased", "leave", "renew", "wait"),
            Arbitraries.of("a", "b", "c"),
            Arbitraries.integers().between(1, 120))
        .as(Op::new)
        .list()
        .ofMaxSize(30);
  }

  @Property(tries = 200)
  void theModeIsBrowseOnlyExactlyWhileAReasonIsActive(@ForAll("ops") List<Op> ops) {
    ManualClock clock = new ManualClock();
    InMemoryStateStore store = InMemoryStateStore.builder().clock(clock).build();
    Map<String, Instant> model = new HashMap<>(); // id -> lease end (Instant.MAX for none)
    try (ReadMode readMode =
        ReadMode.builder(store).clock(clock).refreshInterval(Duration.ofHours(1)).build()) {
      for (Op op : ops) {
        Instant now = clock.instant();
        switch (op.kind()) {
          case "enter-manual" -> {
            readMode.enter(
                new ReadOnlyReason(
                    op.id(), ReadOnlyReason.Kind.MANUAL, "ops", now, "paused", null, null));
            model.put(op.id(), Instant.MAX);
          }
          case "enter-leased" -> {
            Instant until = now.plusSeconds(op.seconds());
            readMode.enter(
                new ReadOnlyReason(
                    op.id(), ReadOnlyReason.Kind.AUTOMATIC, "breaker", now, "paused", null, until));
            model.put(op.id(), until);
          }
          case "leave" -> {
            readMode.leave(op.id());
            model.remove(op.id());
          }
          case "renew" -> {
            Instant lease = model.get(op.id());
            if (lease != null && lease.isAfter(now)) {
              Instant until = now.plusSeconds(op.seconds());
              readMode.renew(op.id(), until);
              model.put(op.id(), until);
            }
          }
          default -> clock.advance(Duration.ofSeconds(op.seconds()));
        }
        Instant at = clock.instant();
        List<String> active =
            model.entrySet().stream()
                .filter(e -> e.getValue().isAfter(at))
                .map(Map.Entry::getKey)
                .sorted()
                .toList();
        assertThat(readMode.reasons())
            .extracting(ReadOnlyReason::id)
            .as("after " + op)
            .containsExactlyInAnyOrderElementsOf(active);
        assertThat(readMode.isBrowseOnly()).as("after " + op).isEqualTo(!active.isEmpty());
      }
    }
  }
}
