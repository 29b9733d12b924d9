package dev.brownout.degrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.core.time.ManualClock;
import dev.brownout.state.ForwardingStateStore;
import dev.brownout.state.InMemoryStateStore;
import dev.brownout.state.Namespace;
import dev.brownout.state.StateUnavailableException;
import dev.brownout.state.Update;
import dev.brownout.state.WriteResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReadModeTest {
  final ManualClock clock = new ManualClock();
  final InMemoryStateStore store = InMemoryStateStore.builder().clock(clock).build();
  final ReadMode readMode =
      ReadMode.builder(store).clock(clock).refreshInterval(Duration.ofMillis(20)).build();

  @AfterEach
  void close() {
    readMode.close();
  }

  ReadOnlyReason manual(String id) {
    return new ReadOnlyReason(
        id,
        ReadOnlyReason.Kind.MANUAL,
        "ops",
        clock.instant(),
        "Bookings are paused while we move databases.",
        null,
        null);
  }

  ReadOnlyReason automatic(String id, Duration lease) {
    return new ReadOnlyReason(
        id,
        ReadOnlyReason.Kind.AUTOMATIC,
        "write-path breaker",
        clock.instant(),
        "Bookings are paused: the database is not taking writes.",
        null,
        clock.instant().plus(lease));
  }

  static void eventually(Runnable assertion) throws InterruptedException {
    AssertionError last = null;
    for (int i = 0; i < 200; i++) {
      try {
        assertion.run();
        return;
      } catch (AssertionError e) {
        last = e;
        Thread.sleep(10);
      }
    }
    throw last;
  }

  @Test
  void browseOnlyWhileAnyReasonIsActiveAndClearingOneKeepsTheOthers() {
    assertThat(readMode.mode()).isEqualTo(Mode.READ_WRITE);

    readMode.enter(manual("db-move"));
    readMode.enter(manual("audit-freeze"));
    assertThat(readMode.isBrowseOnly()).isTrue();

    readMode.leave("db-move");
    assertThat(readMode.isBrowseOnly()).isTrue();
    assertThat(readMode.reasons()).extracting(ReadOnlyReason::id).containsExactly("audit-freeze");

    readMode.leave("audit-freeze");
    assertThat(readMode.mode()).isEqualTo(Mode.READ_WRITE);
  }

  @Test
  void anAutomaticReasonLapsesUnlessRenewed() {
    readMode.enter(automatic("auto:write-path", Duration.ofSeconds(30)));
    clock.advance(Duration.ofSeconds(20));
    readMode.renew("auto:write-path", clock.instant().plusSeconds(30));
    clock.advance(Duration.ofSeconds(20));
    assertThat(readMode.isBrowseOnly()).as("renewed").isTrue();

    clock.advance(Duration.ofSeconds(11));

    assertThat(readMode.isBrowseOnly()).as("lapsed").isFalse();
  }

  @Test
  void anotherServersReasonIsHonoured() throws Exception {
    try (ReadMode other =
        ReadMode.builder(store).clock(clock).refreshInterval(Duration.ofMillis(20)).build()) {
      other.enter(manual("maintenance"));

      eventually(() -> assertThat(readMode.isBrowseOnly()).isTrue());

      other.leave("maintenance");
      eventually(() -> assertThat(readMode.isBrowseOnly()).isFalse());
    }
  }

  @Test
  void listenersHearEachChangeOfMode() throws Exception {
    List<Mode> heard = new CopyOnWriteArrayList<>();
    readMode.addListener((mode, reasons) -> heard.add(mode));

    readMode.enter(manual("a"));
    readMode.enter(manual("b"));
    readMode.leave("a");
    readMode.leave("b");

    eventually(() -> assertThat(heard).containsExactly(Mode.BROWSE_ONLY, Mode.READ_WRITE));
  }

  @Test
  void whenTheStoreIsDownAReasonIsHeldLocallyAndTheFailureReported() {
    InMemoryStateStore backing = InMemoryStateStore.builder().clock(clock).build();
    boolean[] down = {false};
    ForwardingStateStore flaky =
        new ForwardingStateStore(backing) {
          @Override
          public WriteResult update(Namespace namespace, String key, Update update) {
            if (down[0]) {
              throw new StateUnavailableException("store down", null);
            }
            return super.update(namespace, key, update);
          }
        };
    try (ReadMode mode = ReadMode.builder(flaky).clock(clock).build()) {
      down[0] = true;
      assertThatThrownBy(() -> mode.enter(automatic("auto:store", Duration.ofMinutes(1))))
          .isInstanceOf(StateUnavailableException.class);
      assertThat(mode.isBrowseOnly()).isTrue();
      assertThat(mode.reasons()).extracting(ReadOnlyReason::id).containsExactly("auto:store");
    }
  }

  @Test
  void theEtaIsTheLatestWhenEveryReasonHasOne() {
    Instant soon = clock.instant().plusSeconds(600);
    Instant later = clock.instant().plusSeconds(1800);
    readMode.enter(
        new ReadOnlyReason(
            "a", ReadOnlyReason.Kind.MAINTENANCE, "ops", clock.instant(), "Upgrade.", soon, null));
    readMode.enter(
        new ReadOnlyReason(
            "b",
            ReadOnlyReason.Kind.MAINTENANCE,
            "ops",
            clock.instant(),
            "Migration.",
            later,
            null));
    assertThat(readMode.retryAfter()).hasValue(later);

    readMode.enter(manual("c"));
    assertThat(readMode.retryAfter()).isEmpty();
  }

  @Test
  void anInvalidReasonNamesEveryProblem() {
    assertThatThrownBy(
            () ->
                new ReadOnlyReason(
                    "Bad Id", ReadOnlyReason.Kind.AUTOMATIC, " ", clock.instant(), "", null, null))
        .hasMessageContaining("id must be")
        .hasMessageContaining("source is required")
        .hasMessageContaining("message is required")
        .hasMessageContaining("needs a lease");
  }
}
