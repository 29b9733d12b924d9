package dev.brownout.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.core.time.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NearCacheTest {
  static final Namespace FLAGS = Namespace.small("flags");
  static final Namespace SESSIONS = Namespace.large("sessions");

  final ManualClock clock = new ManualClock();
  final InMemoryStateStore backing = InMemoryStateStore.builder().clock(clock).build();
  final AtomicInteger reads = new AtomicInteger();
  final List<WatchListener> watchers = new CopyOnWriteArrayList<>();

  /** Counts reads, and hands change events to the test instead of delivering them by itself. */
  final StateStore counting =
      new ForwardingStateStore(backing) {
        @Override
        public Optional<StateRecord> read(Namespace namespace, String key) {
          reads.incrementAndGet();
          return super.read(namespace, key);
        }

        @Override
        public Watch watch(Namespace namespace, WatchListener listener) {
          watchers.add(listener);
          return () -> watchers.remove(listener);
        }
      };

  /** Delivers a change event, as the store would, to the cache. */
  void announce(String key, long version) {
    announce(key, version, null);
  }

  /** Delivers a change event made by {@code origin}, as a store that does not filter would. */
  void announce(String key, long version, @Nullable String origin) {
    watchers.forEach(
        listener -> listener.onChange(new ChangeEvent(FLAGS.name(), key, version, origin)));
  }

  final BrownoutMetrics metrics = BrownoutMetrics.inMemory();
  final NearCache cache = NearCache.builder(counting).clock(clock).metrics(metrics).build();

  @AfterEach
  void close() {
    cache.close();
  }

  double count(String namespace, String result) {
    var counter =
        metrics
            .registry()
            .find("brownout.state.near_cache.requests")
            .tags("namespace", namespace, "result", result)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void aNamespaceTheStoreCannotWatchIsReadThroughNotAnError() {
    StateStore cannotWatchLarge =
        new ForwardingStateStore(counting) {
          @Override
          public Watch watch(Namespace namespace, WatchListener listener) {
            if (!namespace.small()) {
              throw new IllegalArgumentException("this store watches small namespaces only");
            }
            return super.watch(namespace, listener);
          }
        };
    Namespace watchedSessions = SESSIONS.withWatch();
    backing.update(watchedSessions, "s", Update.builder().set("user", "ada").build());
    try (NearCache throughOnly =
        NearCache.builder(cannotWatchLarge).clock(clock).metrics(metrics).build()) {
      for (int i = 0; i < 3; i++) {
        assertThat(throughOnly.read(watchedSessions, "s").orElseThrow().text("user"))
            .hasValue("ada");
      }
      assertThat(reads).hasValue(3);
      assertThat(count("sessions", "bypass")).isEqualTo(3);
    }
  }

  @Test
  void aSecondReadIsAHitWithNoCallToTheStore() {
    backing.update(FLAGS, "f", Update.builder().set("on", "true").build());

    cache.read(FLAGS, "f");
    Optional<StateRecord> second = cache.read(FLAGS, "f");

    assertThat(second.orElseThrow().text("on")).hasValue("true");
    assertThat(reads).hasValue(1);
    assertThat(count("flags", "hit")).isEqualTo(1);
    assertThat(count("flags", "miss")).isEqualTo(1);
  }

  @Test
  void aChangeMadeElsewhereEvictsTheEntry() {
    backing.update(FLAGS, "f", Update.builder().set("on", "true").build());
    cache.read(FLAGS, "f");

    long version =
        backing.update(FLAGS, "f", Update.builder().set("on", "false").build()).version();
    assertThat(cache.read(FLAGS, "f").orElseThrow().text("on"))
        .as("stale until told")
        .hasValue("true");
    announce("f", version);

    assertThat(cache.read(FLAGS, "f").orElseThrow().text("on")).hasValue("false");
    assertThat(metrics.registry().get("brownout.state.near_cache.stale").counter().count())
        .isEqualTo(1);
  }

  @Test
  void anEventForAVersionTheCacheAlreadyHoldsEvictsNothing() {
    long version = cache.update(FLAGS, "f", Update.builder().set("on", "true").build()).version();
    cache.read(FLAGS, "f");

    announce("f", version);

    cache.read(FLAGS, "f");
    assertThat(reads).hasValue(1);
  }

  @Test
  void aChangeAnnouncedDuringAReadIsNotCachedOver() {
    backing.update(FLAGS, "f", Update.builder().set("on", "true").build());
    StateStore racing =
        new ForwardingStateStore(counting) {
          @Override
          public Optional<StateRecord> read(Namespace namespace, String key) {
            Optional<StateRecord> stale = super.read(namespace, key);
            long newer =
                backing.update(FLAGS, "f", Update.builder().set("on", "false").build()).version();
            announce("f", newer);
            return stale;
          }
        };
    try (NearCache near = NearCache.builder(racing).build()) {
      assertThat(near.read(FLAGS, "f").orElseThrow().text("on")).hasValue("true");
      assertThat(backing.read(FLAGS, "f").orElseThrow().text("on")).hasValue("false");
      assertThat(near.size()).as("the stale read must not be cached").isZero();
    }
  }

  @Test
  void otherKeysChangingDuringAReadDoNotKeepItFromBeingCached() {
    backing.update(FLAGS, "f", Update.builder().set("on", "true").build());
    StateStore busy =
        new ForwardingStateStore(counting) {
          @Override
          public Optional<StateRecord> read(Namespace namespace, String key) {
            Optional<StateRecord> record = super.read(namespace, key);
            // Other records of the namespace are saved all the time, as sessions are.
            for (int i = 0; i < 100; i++) {
              long version =
                  backing
                      .update(FLAGS, "other-" + i, Update.builder().set("n", "1").build())
                      .version();
              announce("other-" + i, version);
            }
            return record;
          }
        };
    try (NearCache near = NearCache.builder(busy).build()) {
      near.read(FLAGS, "f");
      assertThat(near.read(FLAGS, "f").orElseThrow().text("on")).hasValue("true");
      assertThat(reads).as("the second read is a hit").hasValue(1);
    }
  }

  @Test
  void aResyncDuringAReadKeepsItFromBeingCached() {
    backing.update(FLAGS, "f", Update.builder().set("on", "true").build());
    StateStore resyncing =
        new ForwardingStateStore(counting) {
          @Override
          public Optional<StateRecord> read(Namespace namespace, String key) {
            Optional<StateRecord> record = super.read(namespace, key);
            watchers.forEach(WatchListener::onResync);
            return record;
          }
        };
    try (NearCache near = NearCache.builder(resyncing).build()) {
      near.read(FLAGS, "f");
      assertThat(near.size()).as("notifications may have been missed").isZero();
    }
  }

  /**
   * A store that announces each write before the write returns, as Redis pub/sub can, and does not
   * leave out the writer's own changes (a store need not); with or without the write's origin.
   */
  StateStore announcingFirst(boolean alsoAnotherWrite, boolean passingOrigins) {
    return new ForwardingStateStore(counting) {
      @Override
      public WriteResult update(Namespace namespace, String key, Update update) {
        WriteResult result = super.update(namespace, key, update);
        announce(key, result.version(), passingOrigins ? update.origin() : null);
        if (alsoAnotherWrite) {
          long newer =
              backing.update(FLAGS, key, Update.builder().set("other", "x").build()).version();
          announce(key, newer);
        }
        return result;
      }
    };
  }

  @Test
  void aWritesOwnAnnouncementArrivingFirstLeavesTheEntryUpdated() {
    backing.update(FLAGS, "f", Update.builder().set("a", "1").build());
    try (NearCache near = NearCache.builder(announcingFirst(false, true)).build()) {
      near.read(FLAGS, "f");
      WriteResult result = near.update(FLAGS, "f", Update.builder().set("a", "2").build());

      StateRecord record = near.read(FLAGS, "f").orElseThrow();
      assertThat(reads).as("still a hit").hasValue(1);
      assertThat(record.version()).isEqualTo(result.version());
      assertThat(record).isEqualTo(backing.read(FLAGS, "f").orElseThrow());
      assertThat(metrics.registry().find(NearCache.STALE.name()).counter())
          .as("its own change is not taken for a stale entry")
          .isNull();
    }
  }

  @Test
  void aStoreThatDropsOriginsCostsARereadNotAStaleEntry() {
    backing.update(FLAGS, "f", Update.builder().set("a", "1").build());
    try (NearCache near = NearCache.builder(announcingFirst(false, false)).build()) {
      near.read(FLAGS, "f");
      near.update(FLAGS, "f", Update.builder().set("a", "2").build());

      StateRecord record = near.read(FLAGS, "f").orElseThrow();
      assertThat(reads).as("read again").hasValue(2);
      assertThat(record).isEqualTo(backing.read(FLAGS, "f").orElseThrow());
    }
  }

  @Test
  void writesThroughTheCacheCarryItsOriginWhichItsWatcherClaims() {
    List<@Nullable String> origins = new CopyOnWriteArrayList<>();
    StateStore recording =
        new ForwardingStateStore(counting) {
          @Override
          public WriteResult update(Namespace namespace, String key, Update update) {
            origins.add(update.origin());
            return super.update(namespace, key, update);
          }
        };
    try (NearCache first = NearCache.builder(recording).build();
        NearCache second = NearCache.builder(recording).build()) {
      first.update(FLAGS, "f", Update.builder().set("a", "1").build());
      second.update(FLAGS, "f", Update.builder().set("a", "2").build());
      first.update(FLAGS, "f", Update.builder().set("a", "3").origin("caller").build());
      first.read(FLAGS, "f");
      second.read(FLAGS, "f");

      assertThat(origins.get(0)).startsWith("near-").isNotEqualTo(origins.get(1));
      assertThat(origins.get(2)).as("a caller's own origin is kept").isEqualTo("caller");
      assertThat(watchers)
          .extracting(WatchListener::origin)
          .contains(origins.get(0), origins.get(1));
    }
  }

  @Test
  void anEntryReadAfterAWriteLandedIsKeptWhenTheWriteReturns() {
    // Another thread reads the record after the write reached the store but before the write call
    // returned: that entry already holds the write, and evicting it would only cost a read.
    backing.update(FLAGS, "f", Update.builder().set("on", "true").build());
    NearCache[] near = new NearCache[1];
    StateStore slowToReturn =
        new ForwardingStateStore(counting) {
          @Override
          public WriteResult update(Namespace namespace, String key, Update update) {
            WriteResult result = super.update(namespace, key, update);
            near[0].read(namespace, key);
            return result;
          }
        };
    near[0] = NearCache.builder(slowToReturn).build();
    try (NearCache cache = near[0]) {
      WriteResult result = cache.update(FLAGS, "f", Update.builder().set("on", "false").build());
      StateRecord record = cache.read(FLAGS, "f").orElseThrow();

      assertThat(record.version()).isEqualTo(result.version());
      assertThat(record.text("on")).hasValue("false");
      assertThat(reads).as("the entry read during the write was kept").hasValue(1);
    }
  }

  @Test
  void aReadInFlightAcrossAWriteThroughTheCacheIsNotCachedOver() {
    // The store leaves out the cache's own changes, so nothing is announced: the cache must count
    // its write itself, or the read's stale result would be cached after the write.
    backing.update(FLAGS, "f", Update.builder().set("on", "true").build());
    NearCache[] near = new NearCache[1];
    StateStore racing =
        new ForwardingStateStore(counting) {
          @Override
          public Optional<StateRecord> read(Namespace namespace, String key) {
            Optional<StateRecord> stale = super.read(namespace, key);
            if (reads.get() == 1) {
              near[0].update(FLAGS, "f", Update.builder().set("on", "false").build());
            }
            return stale;
          }
        };
    near[0] = NearCache.builder(racing).build();
    try (NearCache cache = near[0]) {
      assertThat(cache.read(FLAGS, "f").orElseThrow().text("on")).hasValue("true");
      assertThat(cache.read(FLAGS, "f").orElseThrow().text("on")).hasValue("false");
      assertThat(reads).as("the stale read was not cached").hasValue(2);
    }
  }

  @Test
  void anotherWriteAnnouncedDuringAWriteEvictsTheEntry() {
    backing.update(FLAGS, "f", Update.builder().set("a", "1").build());
    try (NearCache near = NearCache.builder(announcingFirst(true, true)).build()) {
      near.read(FLAGS, "f");
      near.update(FLAGS, "f", Update.builder().set("a", "2").build());

      StateRecord record = near.read(FLAGS, "f").orElseThrow();
      assertThat(reads).as("read again").hasValue(2);
      assertThat(record.text("other")).hasValue("x");
    }
  }

  @Test
  void aWriteThroughTheCacheUpdatesTheEntryWithoutAnotherRead() {
    cache.update(FLAGS, "f", Update.builder().set("a", "1").build());
    cache.read(FLAGS, "f");

    WriteResult result =
        cache.update(FLAGS, "f", Update.builder().set("b", "2").remove("a").build());
    StateRecord record = cache.read(FLAGS, "f").orElseThrow();

    assertThat(reads).hasValue(1);
    assertThat(record.version()).isEqualTo(result.version());
    assertThat(record.fieldNames()).containsExactly("b");
    assertThat(record).isEqualTo(backing.read(FLAGS, "f").orElseThrow());
  }

  @Test
  void absenceIsCachedUntilTheRecordIsCreated() {
    assertThat(cache.read(FLAGS, "new")).isEmpty();
    assertThat(cache.read(FLAGS, "new")).isEmpty();
    assertThat(reads).hasValue(1);

    announce("new", backing.update(FLAGS, "new", Update.builder().set("a", "1").build()).version());

    assertThat(cache.read(FLAGS, "new")).isPresent();
  }

  @Test
  void aCachedRecordExpiresOnTheClock() {
    backing.update(
        FLAGS,
        "f",
        Update.builder().set("a", "1").expireAt(clock.instant().plusSeconds(10)).build());
    cache.read(FLAGS, "f");

    clock.advance(Duration.ofSeconds(11));

    assertThat(cache.read(FLAGS, "f")).isEmpty();
  }

  @Test
  void anUnwatchedNamespaceIsReadThroughUnlessStalenessIsAllowed() {
    backing.update(SESSIONS, "s", Update.builder().set("a", "1").build());
    cache.read(SESSIONS, "s");
    cache.read(SESSIONS, "s");
    assertThat(reads).hasValue(2);
    assertThat(count("sessions", "bypass")).isEqualTo(2);

    try (NearCache bounded =
        NearCache.builder(counting).clock(clock).staleAfter(Duration.ofSeconds(5)).build()) {
      bounded.read(SESSIONS, "s");
      bounded.read(SESSIONS, "s");
      assertThat(reads).hasValue(3);
      clock.advance(Duration.ofSeconds(6));
      bounded.read(SESSIONS, "s");
      assertThat(reads).hasValue(4);
    }
  }

  @Test
  void aPartialReadIsServedFromACachedRecord() {
    backing.update(FLAGS, "f", Update.builder().set("a", "1").set("b", "2").build());
    cache.read(FLAGS, "f");

    StateRecord partial = cache.read(FLAGS, "f", Set.of("b")).orElseThrow();

    assertThat(partial.fieldNames()).containsExactly("b");
    assertThat(reads).hasValue(1);
  }

  @Test
  void entriesAreServedWhileTheStoreIsDown() {
    backing.update(FLAGS, "f", Update.builder().set("a", "1").build());
    boolean[] down = {false};
    StateStore flaky =
        new ForwardingStateStore(backing) {
          @Override
          public Optional<StateRecord> read(Namespace namespace, String key) {
            if (down[0]) {
              throw new StateUnavailableException("down", null);
            }
            return super.read(namespace, key);
          }
        };
    try (NearCache near = NearCache.builder(flaky).build()) {
      near.read(FLAGS, "f");
      down[0] = true;

      assertThat(near.read(FLAGS, "f")).isPresent();
    }
  }

  @Test
  void whileTheFeedIsDownEveryReadGoesToTheStoreAndNothingMissedSurvivesTheResync() {
    backing.update(FLAGS, "f", Update.builder().set("a", "1").build());
    cache.read(FLAGS, "f");
    cache.read(FLAGS, "f");
    assertThat(reads).hasValue(1);

    watchers.forEach(WatchListener::onFeedLost);
    // Changed while nobody hears of it: the entry is not trusted, so the change is seen at once.
    backing.update(FLAGS, "f", Update.builder().set("a", "2").build());
    assertThat(cache.read(FLAGS, "f").orElseThrow().text("a")).hasValue("2");
    assertThat(cache.read(FLAGS, "f").orElseThrow().text("a")).hasValue("2");
    assertThat(reads).as("no hits while the feed is down").hasValue(3);
    assertThat(count("flags", "untrusted")).isEqualTo(2);

    backing.update(FLAGS, "f", Update.builder().set("a", "3").build());
    watchers.forEach(WatchListener::onResync);
    assertThat(cache.read(FLAGS, "f").orElseThrow().text("a")).hasValue("3");
    assertThat(cache.read(FLAGS, "f").orElseThrow().text("a")).hasValue("3");
    assertThat(reads).as("trusted again after the resync: the second read is a hit").hasValue(4);
  }

  @Test
  void whenFeedAndStoreAreDownAnEntryIsServedOnlyIfStaleEntriesMayBe() {
    backing.update(FLAGS, "f", Update.builder().set("a", "1").build());
    boolean[] down = {false};
    List<WatchListener> feeds = new CopyOnWriteArrayList<>();
    StateStore flaky =
        new ForwardingStateStore(backing) {
          @Override
          public Optional<StateRecord> read(Namespace namespace, String key) {
            if (down[0]) {
              throw new StateUnavailableException("down", null);
            }
            return super.read(namespace, key);
          }

          @Override
          public Watch watch(Namespace namespace, WatchListener listener) {
            feeds.add(listener);
            return () -> feeds.remove(listener);
          }
        };
    try (NearCache strict = NearCache.builder(flaky).build();
        NearCache lenient = NearCache.builder(flaky).serveStaleWhenDown(true).build()) {
      strict.read(FLAGS, "f");
      lenient.read(FLAGS, "f");
      down[0] = true;
      feeds.forEach(WatchListener::onFeedLost);

      assertThatThrownBy(() -> strict.read(FLAGS, "f"))
          .isInstanceOf(StateUnavailableException.class);
      assertThat(lenient.read(FLAGS, "f")).isPresent();
    }
  }

  @Test
  void validateOnHitReadsOneFieldAndRereadsOnlyWhatChanged() {
    List<Set<String>> partialReads = new CopyOnWriteArrayList<>();
    StateStore noFeed =
        new ForwardingStateStore(counting) {
          @Override
          public Optional<StateRecord> read(Namespace namespace, String key, Set<String> fields) {
            partialReads.add(fields);
            return super.read(namespace, key, fields);
          }
        };
    try (NearCache validating =
        NearCache.builder(noFeed).validateOnHit("a").metrics(metrics).build()) {
      backing.update(
          FLAGS, "f", Update.builder().set("a", "1").set("big", "x".repeat(1000)).build());
      validating.read(FLAGS, "f");
      assertThat(validating.read(FLAGS, "f").orElseThrow().text("a")).hasValue("1");
      assertThat(reads).as("a validated hit reads no whole record").hasValue(1);
      assertThat(partialReads).containsExactly(Set.of("a"));

      // Changed elsewhere, with the announcement still on its way.
      backing.update(FLAGS, "f", Update.builder().set("a", "2").build());
      assertThat(validating.read(FLAGS, "f").orElseThrow().text("a")).hasValue("2");
      assertThat(reads).hasValue(2);
      assertThat(count("flags", "validated")).isEqualTo(1);

      backing.delete(FLAGS, "f", Precondition.none());
      assertThat(validating.read(FLAGS, "f")).isEmpty();
    }
    assertThatThrownBy(() -> NearCache.builder(counting).validateOnHit(""))
        .hasMessageContaining("field name");
  }
}
