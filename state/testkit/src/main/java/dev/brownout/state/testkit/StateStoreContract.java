package dev.brownout.state.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.brownout.state.ChangeEvent;
import dev.brownout.state.Namespace;
import dev.brownout.state.Precondition;
import dev.brownout.state.PreconditionFailedException;
import dev.brownout.state.RecordTooLargeException;
import dev.brownout.state.StateRecord;
import dev.brownout.state.StateStore;
import dev.brownout.state.StateUnavailableException;
import dev.brownout.state.Update;
import dev.brownout.state.Watch;
import dev.brownout.state.WatchListener;
import dev.brownout.state.WriteResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Group;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * What every {@link StateStore} does, as tests. A store's test class extends this and says how to
 * open a client ({@link #openStore()}), and, if it can, how to stop and start its server.
 *
 * <p>The tests come in parts, one nested class each: reads and writes, preconditions, concurrency,
 * expiry, listing, watching, limits, a model-based property and outages; a report names the part of
 * the contract a store breaks. The property's part is a jqwik {@link Group} rather than a JUnit
 * {@link Nested} class because jqwik, not JUnit Jupiter, runs properties.
 *
 * <p>Each test works in namespaces of its own, so the tests of one class can share a server.
 */
public abstract class StateStoreContract {
  private final List<StateStore> opened = new ArrayList<>();

  /** For subclasses. */
  protected StateStoreContract() {}

  /** Opens a new, independent client of the store under test. The suite closes it. */
  protected abstract StateStore openStore();

  /** Whether this store's server can be stopped and started by the test. */
  protected boolean canStopServer() {
    return false;
  }

  /** Stops the store's server (abruptly, as a crash would). */
  protected void stopServer() {}

  /** Starts the store's server again, on the same address. */
  protected void startServer() {}

  /** The store's configured operation timeout; a failed call must not take much longer. */
  protected Duration operationTimeout() {
    return Duration.ofSeconds(2);
  }

  /**
   * How long the watch test keeps the server down: long enough for the store to notice. A polling
   * store only knows of an outage if a poll fails, and a poll retries within its timeout, so an
   * outage shorter than the timeout may rightly go unnoticed (no change can have been missed).
   */
  protected Duration outage() {
    return operationTimeout().multipliedBy(2).plusSeconds(1);
  }

  /**
   * Whether change events carry the update's {@link dev.brownout.state.Update#origin() origin}, and
   * watchers are spared their own origin's changes. Default: yes.
   */
  protected boolean passesOrigins() {
    return true;
  }

  /** The longest a change may take to reach a watcher on another client. */
  protected Duration watchDelay() {
    return Duration.ofSeconds(10);
  }

  /**
   * The network between the clients {@link #openStore()} opens and their server, if this test can
   * break it (a fault proxy that every client connects through); empty if it cannot, and the outage
   * tests that need it are skipped. The suite heals it after each test.
   */
  protected Optional<NetworkFaults> networkFaults() {
    return Optional.empty();
  }

  /** Opens a client that the suite closes after the test. */
  protected final StateStore store() {
    StateStore store = openStore();
    opened.add(store);
    return store;
  }

  @AfterEach
  void closeStores() {
    networkFaults().ifPresent(NetworkFaults::heal);
    for (StateStore store : opened) {
      store.close();
    }
    opened.clear();
  }

  static Namespace small() {
    return Namespace.small("t" + UUID.randomUUID().toString().substring(0, 12));
  }

  static Namespace large() {
    return Namespace.large("l" + UUID.randomUUID().toString().substring(0, 12));
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static Update set(String field, String value) {
    return Update.builder().set(field, value).build();
  }

  /** The first event for each of {@code keys}, in whatever order they come. */
  private Map<String, ChangeEvent> events(BlockingQueue<ChangeEvent> events, String... keys)
      throws InterruptedException {
    Map<String, ChangeEvent> found = new HashMap<>();
    Set<String> wanted = Set.of(keys);
    long deadline = System.nanoTime() + watchDelay().toNanos();
    while (found.size() < wanted.size() && System.nanoTime() < deadline) {
      ChangeEvent event = events.poll(100, TimeUnit.MILLISECONDS);
      if (event != null && wanted.contains(event.key())) {
        found.putIfAbsent(event.key(), event);
      }
    }
    assertThat(found.keySet()).as("change events within " + watchDelay()).isEqualTo(wanted);
    return found;
  }

  private ChangeEvent nextEvent(BlockingQueue<ChangeEvent> events, String key)
      throws InterruptedException {
    long deadline = System.nanoTime() + watchDelay().toNanos();
    while (System.nanoTime() < deadline) {
      ChangeEvent event = events.poll(100, TimeUnit.MILLISECONDS);
      if (event != null && event.key().equals(key)) {
        return event;
      }
    }
    return fail("no change event for " + key + " within " + watchDelay());
  }

  /** Waits for a condition, polling; fails the test with {@code what} if it never holds. */
  protected static void awaitTrue(String what, Duration limit, Supplier<Boolean> condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.get()) {
        return;
      }
      Thread.sleep(50);
    }
    fail("waited " + limit + " for " + what);
  }

  /** Records written, read back whole or in part, kept apart by namespace. */
  @Nested
  class ReadsAndWrites {
    @Test
    void aMissingRecordReadsAsEmpty() {
      StateStore store = store();
      assertThat(store.read(large(), "nobody")).isEmpty();
      assertThat(store.read(small(), "nobody", Set.of("x"))).isEmpty();
    }

    @Test
    void anUpdateCreatesARecordThatReadsBack() {
      StateStore store = store();
      Namespace ns = large();

      WriteResult result =
          store.update(ns, "k", Update.builder().set("a", "1").set("b", bytes("two")).build());

      assertThat(result.created()).isTrue();
      StateRecord record = store.read(ns, "k").orElseThrow();
      assertThat(record.key()).isEqualTo("k");
      assertThat(record.version()).isEqualTo(result.version());
      assertThat(record.text("a")).hasValue("1");
      assertThat(record.text("b")).hasValue("two");
      assertThat(record.fieldNames()).containsExactlyInAnyOrder("a", "b");
      assertThat(record.expiresAt()).isEmpty();
    }

    @Test
    void updatesSetAndRemoveFieldsAndBumpTheVersionByOne() {
      StateStore store = store();
      Namespace ns = large();
      long v1 =
          store.update(ns, "k", Update.builder().set("a", "1").set("b", "2").build()).version();

      WriteResult second =
          store.update(ns, "k", Update.builder().set("a", "one").remove("b").set("c", "3").build());

      assertThat(second.created()).isFalse();
      assertThat(second.version()).isEqualTo(v1 + 1);
      StateRecord record = store.read(ns, "k").orElseThrow();
      assertThat(record.fieldNames()).containsExactlyInAnyOrder("a", "c");
      assertThat(record.text("a")).hasValue("one");
    }

    @Test
    void emptyValuesAndUnicodeNamesAndKeysRoundTrip() {
      StateStore store = store();
      Namespace ns = large();
      String key = "ключ/with spaces:{and}#symbols";

      store.update(ns, key, Update.builder().set("first", new byte[0]).build());
      store.update(
          ns,
          key,
          Update.builder().set("名前", new byte[] {0, -1, 127}).set("empty", new byte[0]).build());

      StateRecord record = store.read(ns, key).orElseThrow();
      assertThat(record.field("名前"))
          .hasValueSatisfying(v -> assertThat(v).containsExactly(0, -1, 127));
      assertThat(record.field("empty")).hasValueSatisfying(v -> assertThat(v).isEmpty());
    }

    @Test
    void aPartialReadReturnsOnlyTheNamedFieldsWithTheVersion() {
      StateStore store = store();
      Namespace ns = large();
      long version =
          store
              .update(ns, "k", Update.builder().set("a", "1").set("b", "2").set("c", "3").build())
              .version();

      StateRecord record = store.read(ns, "k", Set.of("a", "c", "missing")).orElseThrow();

      assertThat(record.fieldNames()).containsExactlyInAnyOrder("a", "c");
      assertThat(record.version()).isEqualTo(version);
    }

    @Test
    void recordsAreSeparatedByNamespace() {
      StateStore store = store();
      Namespace one = large();
      Namespace two = large();
      store.update(one, "k", set("a", "1"));

      assertThat(store.read(two, "k")).isEmpty();
    }
  }

  /** Preconditions on updates and deletes, and no resurrection of a deleted record. */
  @Nested
  class Preconditions {
    @Test
    void preconditionsDecideWhetherAWriteHappens() {
      StateStore store = store();
      Namespace ns = large();
      assertThatThrownBy(
              () ->
                  store.update(
                      ns,
                      "k",
                      Update.builder().set("a", "1").precondition(Precondition.present()).build()))
          .isInstanceOf(PreconditionFailedException.class)
          .hasMessageContaining("absent");
      long v1 =
          store
              .update(
                  ns,
                  "k",
                  Update.builder().set("a", "1").precondition(Precondition.absent()).build())
              .version();

      assertThatThrownBy(
              () ->
                  store.update(
                      ns,
                      "k",
                      Update.builder().set("a", "2").precondition(Precondition.absent()).build()))
          .isInstanceOfSatisfying(
              PreconditionFailedException.class, e -> assertThat(e.currentVersion()).hasValue(v1));
      assertThatThrownBy(
              () ->
                  store.update(
                      ns,
                      "k",
                      Update.builder()
                          .set("a", "2")
                          .precondition(Precondition.versionEquals(v1 + 7))
                          .build()))
          .isInstanceOf(PreconditionFailedException.class);
      assertThat(store.read(ns, "k").orElseThrow().text("a")).hasValue("1");

      long v2 =
          store
              .update(
                  ns,
                  "k",
                  Update.builder()
                      .set("a", "2")
                      .precondition(Precondition.versionEquals(v1))
                      .build())
              .version();
      store.update(
          ns, "k", Update.builder().set("b", "3").precondition(Precondition.present()).build());
      assertThat(v2).isEqualTo(v1 + 1);
      assertThat(store.read(ns, "k").orElseThrow().version()).isEqualTo(v1 + 2);
    }

    @Test
    void deleteRemovesTheRecordAndSaysWhetherOneExisted() {
      StateStore store = store();
      Namespace ns = large();
      long version = store.update(ns, "k", set("a", "1")).version();

      assertThatThrownBy(() -> store.delete(ns, "k", Precondition.versionEquals(version + 1)))
          .isInstanceOf(PreconditionFailedException.class);
      assertThat(store.read(ns, "k")).isPresent();

      assertThat(store.delete(ns, "k", Precondition.versionEquals(version))).isTrue();
      assertThat(store.read(ns, "k")).isEmpty();
      assertThat(store.delete(ns, "k", Precondition.none())).isFalse();
      assertThatThrownBy(() -> store.delete(ns, "k", Precondition.present()))
          .isInstanceOf(PreconditionFailedException.class);
    }

    @Test
    void aDeletedRecordCannotBeResurrectedByAStaleWriter() {
      StateStore store = store();
      Namespace ns = large();
      long stale =
          store.update(ns, "k", Update.builder().set("a", "1").set("b", "2").build()).version();
      store.delete(ns, "k", Precondition.none());

      assertThatThrownBy(
              () ->
                  store.update(
                      ns,
                      "k",
                      Update.builder()
                          .set("a", "x")
                          .precondition(Precondition.versionEquals(stale))
                          .build()))
          .isInstanceOf(PreconditionFailedException.class);
      assertThatThrownBy(
              () ->
                  store.update(
                      ns,
                      "k",
                      Update.builder().set("a", "x").precondition(Precondition.present()).build()))
          .isInstanceOf(PreconditionFailedException.class);
      assertThat(store.read(ns, "k")).isEmpty();

      long fresh = store.update(ns, "k", Update.builder().set("a", "new").build()).version();
      assertThat(fresh).isNotEqualTo(stale).isNotEqualTo(stale + 1);
      assertThat(store.read(ns, "k").orElseThrow().fieldNames()).containsExactly("a");
      assertThatThrownBy(
              () ->
                  store.update(
                      ns,
                      "k",
                      Update.builder()
                          .set("a", "x")
                          .precondition(Precondition.versionEquals(stale))
                          .build()))
          .isInstanceOf(PreconditionFailedException.class);
    }
  }

  /** Writers racing on one record: compare-and-set loses no update. */
  @Nested
  class Concurrency {
    @Test
    void concurrentCompareAndSetIncrementsLoseNoUpdate() throws Exception {
      StateStore store = store();
      Namespace ns = large();
      store.update(ns, "counter", set("n", "0"));
      int threads = 8;
      int perThread = 25;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Integer>> conflicts = new ArrayList<>();
      try {
        for (int t = 0; t < threads; t++) {
          conflicts.add(
              pool.submit(
                  () -> {
                    start.await();
                    int retries = 0;
                    for (int i = 0; i < perThread; i++) {
                      while (true) {
                        StateRecord current = store.read(ns, "counter").orElseThrow();
                        int n = Integer.parseInt(current.text("n").orElseThrow());
                        try {
                          store.update(
                              ns,
                              "counter",
                              Update.builder()
                                  .set("n", Integer.toString(n + 1))
                                  .precondition(Precondition.versionEquals(current.version()))
                                  .build());
                          break;
                        } catch (PreconditionFailedException e) {
                          retries++;
                        }
                      }
                    }
                    return retries;
                  }));
        }
        start.countDown();
        for (Future<Integer> future : conflicts) {
          future.get(120, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }

      StateRecord counter = store.read(ns, "counter").orElseThrow();
      assertThat(counter.text("n")).hasValue(Integer.toString(threads * perThread));
    }
  }

  /** Expiry set, moved and removed; an expired record is absent for every operation. */
  @Nested
  class Expiry {
    @Test
    void anExpiredRecordIsAbsentForEveryOperation() throws Exception {
      StateStore store = store();
      Namespace ns = small();
      Instant expiry = Instant.now().plusMillis(1200).truncatedTo(ChronoUnit.MILLIS);
      long version =
          store.update(ns, "k", Update.builder().set("a", "1").expireAt(expiry).build()).version();
      store.update(ns, "forever", set("a", "1"));
      assertThat(store.read(ns, "k").orElseThrow().expiresAt()).hasValue(expiry);

      awaitTrue("record k to expire", Duration.ofSeconds(10), () -> store.read(ns, "k").isEmpty());

      assertThat(store.read(ns, "k", Set.of("a"))).isEmpty();
      assertThat(store.list(ns)).extracting(StateRecord::key).containsExactly("forever");
      assertThatThrownBy(
              () ->
                  store.update(
                      ns,
                      "k",
                      Update.builder()
                          .set("b", "2")
                          .precondition(Precondition.versionEquals(version))
                          .build()))
          .isInstanceOf(PreconditionFailedException.class);
      WriteResult recreated =
          store.update(
              ns, "k", Update.builder().set("b", "2").precondition(Precondition.absent()).build());
      assertThat(recreated.created()).isTrue();
      StateRecord record = store.read(ns, "k").orElseThrow();
      assertThat(record.fieldNames())
          .as("fields of the expired record must not come back")
          .containsExactly("b");
      assertThat(record.expiresAt()).isEmpty();
    }

    @Test
    void theExpiryCanBeMovedAndRemoved() {
      StateStore store = store();
      Namespace ns = large();
      Instant first = Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.MILLIS);
      Instant later = first.plus(Duration.ofHours(1));
      store.update(ns, "k", Update.builder().set("a", "1").expireAt(first).build());

      store.update(ns, "k", Update.builder().set("b", "2").build());
      assertThat(store.read(ns, "k").orElseThrow().expiresAt())
          .as("an update that says nothing keeps the expiry")
          .hasValue(first);

      store.update(ns, "k", Update.builder().expireAt(later).build());
      assertThat(store.read(ns, "k").orElseThrow().expiresAt()).hasValue(later);

      store.update(ns, "k", Update.builder().persist().build());
      assertThat(store.read(ns, "k").orElseThrow().expiresAt()).isEmpty();
    }

    @Test
    void anExpiryInThePastDeletesTheRecord() {
      StateStore store = store();
      Namespace ns = large();
      store.update(ns, "k", set("a", "1"));

      store.update(ns, "k", Update.builder().expireAt(Instant.now().minusSeconds(5)).build());

      assertThat(store.read(ns, "k")).isEmpty();
    }
  }

  /** Listing a small namespace; a large one is neither listed nor watched. */
  @Nested
  class Listing {
    @Test
    void aSmallNamespaceListsItsLiveRecords() {
      StateStore store = store();
      Namespace ns = small();
      store.update(ns, "a", set("x", "1"));
      store.update(ns, "b", set("x", "2"));
      store.update(ns, "c", set("x", "3"));
      store.delete(ns, "b", Precondition.none());

      assertThat(store.list(ns)).extracting(StateRecord::key).containsExactlyInAnyOrder("a", "c");
      assertThat(store.list(small())).isEmpty();
    }

    @Test
    void aLargeNamespaceCannotBeListedOrWatched() {
      StateStore store = store();

      assertThatThrownBy(() -> store.list(large()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("cannot be listed");
      assertThatThrownBy(() -> store.watch(large(), event -> {}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not watchable");
    }
  }

  /** Changes on one client seen by watchers on another, with origins respected. */
  @Nested
  class Watching {
    @Test
    void aChangeOnOneClientReachesAWatcherOnAnother() throws Exception {
      StateStore writer = store();
      StateStore reader = store();
      Namespace ns = small();
      BlockingQueue<ChangeEvent> events = new LinkedBlockingQueue<>();
      Watch watch = reader.watch(ns, events::add);
      try {
        long version = writer.update(ns, "flag", set("on", "true")).version();
        ChangeEvent updated = nextEvent(events, "flag");
        assertThat(updated.version()).isEqualTo(version);
        assertThat(updated.namespace()).isEqualTo(ns.name());

        writer.delete(ns, "flag", Precondition.none());
        assertThat(nextEvent(events, "flag").deleted()).isTrue();
      } finally {
        watch.close();
      }
    }

    @Test
    void aWatcherIsSparedTheChangesOfItsOwnOrigin() throws Exception {
      StateStore writer = store();
      StateStore reader = store();
      Namespace ns = small();
      BlockingQueue<ChangeEvent> mine = new LinkedBlockingQueue<>();
      List<String> keysToA = new CopyOnWriteArrayList<>();
      BlockingQueue<ChangeEvent> everything = new LinkedBlockingQueue<>();
      Watch own =
          reader.watch(
              ns,
              new WatchListener() {
                @Override
                public void onChange(ChangeEvent event) {
                  keysToA.add(event.key());
                  mine.add(event);
                }

                @Override
                public String origin() {
                  return "server-a";
                }
              });
      Watch all = reader.watch(ns, everything::add);
      try {
        writer.update(ns, "by-a", set("x", "1").withOrigin("server-a"));
        writer.update(ns, "by-b", set("x", "1").withOrigin("server-b"));
        writer.update(ns, "by-nobody", set("x", "1"));

        Map<String, ChangeEvent> toAll = events(everything, "by-a", "by-b", "by-nobody");
        Map<String, ChangeEvent> toA = events(mine, "by-b", "by-nobody");
        if (passesOrigins()) {
          assertThat(toAll.get("by-a").origin()).isEqualTo("server-a");
          assertThat(toAll.get("by-b").origin()).isEqualTo("server-b");
          assertThat(toA.get("by-b").origin()).isEqualTo("server-b");
          // Events arrive in order, so "by-a" would have come before "by-b" and "by-nobody".
          assertThat(keysToA).containsExactly("by-b", "by-nobody");
        }
      } finally {
        own.close();
        all.close();
      }
    }

    @Test
    void aClosedWatchHearsNothingMore() throws Exception {
      StateStore writer = store();
      StateStore reader = store();
      Namespace ns = small();
      BlockingQueue<ChangeEvent> events = new LinkedBlockingQueue<>();
      Watch watch = reader.watch(ns, events::add);
      writer.update(ns, "a", set("x", "1"));
      nextEvent(events, "a");

      watch.close();
      writer.update(ns, "b", set("x", "1"));
      BlockingQueue<ChangeEvent> control = new LinkedBlockingQueue<>();
      Watch second = reader.watch(ns, control::add);
      try {
        writer.update(ns, "c", set("x", "1"));
        nextEvent(control, "c");
      } finally {
        second.close();
      }
      assertThat(events).extracting(ChangeEvent::key).doesNotContain("b", "c");
    }
  }

  /** The size limit and bad arguments, refused before anything changes. */
  @Nested
  class Limits {
    @Test
    void aRecordOverTheLimitIsRefusedAndNothingChanges() {
      StateStore store = store();
      Namespace ns = large();
      long limit = store.maxRecordBytes();
      store.update(ns, "k", set("small", "1"));
      long version = store.read(ns, "k").orElseThrow().version();

      assertThatThrownBy(
              () ->
                  store.update(
                      ns, "k", Update.builder().set("huge", new byte[(int) limit + 1]).build()))
          .isInstanceOfSatisfying(
              RecordTooLargeException.class, e -> assertThat(e.limit()).isEqualTo(limit))
          .hasMessageContaining("limit");
      int sixtyPercent = (int) (limit * 6 / 10);
      store.update(ns, "k", Update.builder().set("first", new byte[sixtyPercent]).build());
      assertThatThrownBy(
              () ->
                  store.update(
                      ns, "k", Update.builder().set("second", new byte[sixtyPercent]).build()))
          .isInstanceOf(RecordTooLargeException.class);

      StateRecord record = store.read(ns, "k").orElseThrow();
      assertThat(record.fieldNames()).containsExactlyInAnyOrder("small", "first");
      assertThat(record.version()).isEqualTo(version + 1);
    }

    @Test
    void badArgumentsAreRefusedBeforeAnything() {
      StateStore store = store();
      Namespace ns = large();

      assertThatThrownBy(() -> store.read(ns, ""))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("key must not be empty");
      assertThatThrownBy(
              () -> store.update(ns, "x".repeat(StateStore.MAX_KEY_BYTES + 1), set("a", "1")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("at most " + StateStore.MAX_KEY_BYTES);
      assertThatThrownBy(() -> store.read(ns, "k", Set.of()))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> store.delete(ns, "k", Precondition.absent()))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> Update.builder().set("a", "1").remove("a"))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> Update.builder().build()).hasMessageContaining("must set or remove");
      for (String origin :
          List.of("", "-", "has space", "x".repeat(Update.MAX_ORIGIN_LENGTH + 1), "é")) {
        assertThatThrownBy(() -> set("a", "1").withOrigin(origin))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("origin must be 1 to " + Update.MAX_ORIGIN_LENGTH);
        assertThatThrownBy(() -> Update.builder().origin(origin))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("origin");
      }
    }
  }

  /** One generated operation. */
  public record Op(
      String kind, String key, String field, String value, Precondition.Kind precondition) {
    @Override
    public String toString() {
      return kind
          + "("
          + key
          + (kind.equals("set")
              ? ", " + field + "=" + value
              : kind.equals("remove") ? ", " + field : "")
          + ", if "
          + precondition
          + ")";
    }
  }

  /** Random sequences of operations, checked against a model of the store (a jqwik property). */
  @Group
  class AgainstAModel {
    record ModelRecord(Map<String, String> fields, long version) {}

    @Provide
    Arbitrary<List<Op>> operations() {
      Arbitrary<Op> op =
          Combinators.combine(
                  Arbitraries.of("set", "set", "set", "remove", "delete", "read"),
                  Arbitraries.of("a", "b", "c"),
                  Arbitraries.of("x", "y"),
                  Arbitraries.strings().alpha().ofMaxLength(3),
                  Arbitraries.of(Precondition.Kind.values()))
              .as(Op::new);
      return op.list();
    }

    @Property(tries = 40)
    void randomOperationsBehaveLikeTheModel(@ForAll("operations") @Size(max = 25) List<Op> ops) {
      try (StateStore store = openStore()) {
        Namespace ns = small();
        Map<String, ModelRecord> model = new HashMap<>();
        for (Op op : ops) {
          apply(store, ns, model, op);
          Map<String, ModelRecord> expected = model;
          for (String key : List.of("a", "b", "c")) {
            Optional<StateRecord> actual = store.read(ns, key);
            ModelRecord want = expected.get(key);
            if (want == null) {
              assertThat(actual).as("after " + op + ", " + key + " should be absent").isEmpty();
            } else {
              StateRecord record =
                  actual.orElseThrow(
                      () -> new AssertionError("after " + op + ", " + key + " should exist"));
              Map<String, String> fields = new HashMap<>();
              record
                  .fieldNames()
                  .forEach(name -> fields.put(name, record.text(name).orElseThrow()));
              assertThat(fields).as("fields of " + key + " after " + op).isEqualTo(want.fields());
              assertThat(record.version())
                  .as("version of " + key + " after " + op)
                  .isEqualTo(want.version());
            }
          }
        }
        assertThat(store.list(ns))
            .extracting(StateRecord::key)
            .containsExactlyInAnyOrderElementsOf(model.keySet());
      }
    }

    private static void apply(
        StateStore store, Namespace ns, Map<String, ModelRecord> model, Op op) {
      ModelRecord current = model.get(op.key());
      Precondition precondition =
          switch (op.precondition()) {
            case NONE -> Precondition.none();
            case ABSENT -> Precondition.absent();
            case PRESENT -> Precondition.present();
            case VERSION_EQUALS ->
                Precondition.versionEquals(current == null ? 42 : current.version());
          };
      boolean holds =
          switch (op.precondition()) {
            case NONE -> true;
            case ABSENT -> current == null;
            case PRESENT, VERSION_EQUALS -> current != null;
          };
      switch (op.kind()) {
        case "read" -> {
          return;
        }
        case "delete" -> {
          if (op.precondition() == Precondition.Kind.ABSENT) {
            return;
          }
          if (!holds) {
            assertThatThrownBy(() -> store.delete(ns, op.key(), precondition))
                .isInstanceOf(PreconditionFailedException.class);
            return;
          }
          assertThat(store.delete(ns, op.key(), precondition)).isEqualTo(current != null);
          model.remove(op.key());
        }
        default -> {
          Update.Builder update = Update.builder().precondition(precondition);
          Map<String, String> fields =
              current == null ? new HashMap<>() : new HashMap<>(current.fields());
          if (op.kind().equals("set")) {
            update.set(op.field(), op.value());
            fields.put(op.field(), op.value());
          } else {
            update.remove(op.field());
            fields.remove(op.field());
          }
          if (!holds) {
            assertThatThrownBy(() -> store.update(ns, op.key(), update.build()))
                .isInstanceOf(PreconditionFailedException.class);
            return;
          }
          WriteResult result = store.update(ns, op.key(), update.build());
          assertThat(result.created()).isEqualTo(current == null);
          if (current != null) {
            assertThat(result.version()).isEqualTo(current.version() + 1);
          }
          model.put(op.key(), new ModelRecord(fields, result.version()));
        }
      }
    }
  }

  /**
   * The longest a failed call may take: the timeout, with room for a retry within it and a slow
   * machine, but far from a hang.
   */
  private long failureBoundMillis() {
    return operationTimeout().toMillis() * 3 + 3000;
  }

  /** Runs {@code operation}, which must fail with {@link StateUnavailableException} in time. */
  private void failsUnavailableInTime(String what, Runnable operation) {
    long start = System.nanoTime();
    assertThatThrownBy(operation::run).as(what).isInstanceOf(StateUnavailableException.class);
    long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(elapsed)
        .as(what + ": a failed call must not hang past its timeout (" + operationTimeout() + ")")
        .isLessThan(failureBoundMillis());
  }

  /** Each kind of call on {@code store}, as the outage tests try them. */
  private static Map<String, Runnable> everyOperation(StateStore store, Namespace ns) {
    Map<String, Runnable> operations = new java.util.LinkedHashMap<>();
    operations.put("read", () -> store.read(ns, "k"));
    operations.put("partial read", () -> store.read(ns, "k", Set.of("a")));
    operations.put("update", () -> store.update(ns, "k", set("a", "2")));
    operations.put("delete", () -> store.delete(ns, "k", Precondition.none()));
    operations.put("list", () -> store.list(ns));
    return operations;
  }

  /** Waits until {@code store} writes again; each failed try must fail in time. */
  private void awaitWrites(String what, StateStore store, Namespace ns, String key)
      throws InterruptedException {
    awaitTrue(
        what,
        Duration.ofSeconds(30),
        () -> {
          long start = System.nanoTime();
          try {
            store.update(ns, key, set("a", "1"));
            return true;
          } catch (StateUnavailableException e) {
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
                .as("a failed call while recovering must not hang past its timeout")
                .isLessThan(failureBoundMillis());
            return false;
          }
        });
  }

  /** A listener that queues changes and counts resynchronisations. */
  private static final class Recorder implements WatchListener {
    final BlockingQueue<ChangeEvent> events = new LinkedBlockingQueue<>();
    final java.util.concurrent.atomic.AtomicInteger resyncs =
        new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public void onChange(ChangeEvent event) {
      events.add(event);
    }

    @Override
    public void onResync() {
      resyncs.incrementAndGet();
    }
  }

  /**
   * Writes {@code key} again and again until a change of it reaches {@code recorder}: whatever
   * happened to the connections, a watcher must hear changes made after it.
   */
  private void awaitHeard(
      String what, StateStore writer, Namespace ns, String key, Recorder recorder)
      throws InterruptedException {
    awaitTrue(
        what,
        Duration.ofSeconds(30),
        () -> {
          try {
            writer.update(ns, key, set("a", UUID.randomUUID().toString()));
          } catch (StateUnavailableException e) {
            return false;
          }
          long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
          try {
            while (System.nanoTime() < deadline) {
              ChangeEvent event = recorder.events.poll(50, TimeUnit.MILLISECONDS);
              if (event != null && event.key().equals(key)) {
                return true;
              }
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return false;
        });
  }

  /**
   * The server stopped, slow, black-holed or cut off mid-test: typed errors within the timeout,
   * then recovery and resync. The network faults need {@link #networkFaults()}.
   */
  @Nested
  class Outage {
    @Test
    void aSlowServerGivesStateUnavailableWithinTheTimeoutAndServiceResumes() throws Exception {
      Optional<NetworkFaults> faults = networkFaults();
      assumeTrue(faults.isPresent(), "this store's test cannot slow the network");
      StateStore store = store();
      Namespace ns = small();
      store.update(ns, "k", set("a", "1"));

      faults.get().latency(operationTimeout().multipliedBy(2));
      everyOperation(store, ns)
          .forEach(
              (what, operation) -> failsUnavailableInTime(what + " on a slow server", operation));
      faults.get().heal();

      awaitWrites("the store to answer again once the server is fast", store, ns, "after");
      assertThat(store.read(ns, "after")).isPresent();
    }

    @Test
    void aBlackHoledServerGivesStateUnavailableWithinTheTimeoutAndServiceResumes()
        throws Exception {
      Optional<NetworkFaults> faults = networkFaults();
      assumeTrue(faults.isPresent(), "this store's test cannot black-hole the network");
      StateStore store = store();
      Namespace ns = small();
      store.update(ns, "k", set("a", "1"));

      faults.get().blackHole();
      everyOperation(store, ns)
          .forEach(
              (what, operation) -> failsUnavailableInTime(what + " while black-holed", operation));
      failsUnavailableInTime("a client opened while black-holed", () -> store().read(ns, "k"));
      faults.get().heal();

      awaitWrites("the store to answer again once the network heals", store, ns, "after");
      // What was sent into the black hole may still arrive and take effect, as the contract
      // allows for a call that failed unavailable: only the write made after is certain.
      assertThat(store.read(ns, "after")).isPresent();
    }

    @Test
    void cutConnectionsAreMadeAgainAndWatchersKeepHearing() throws Exception {
      Optional<NetworkFaults> faults = networkFaults();
      assumeTrue(faults.isPresent(), "this store's test cannot cut connections");
      StateStore writer = store();
      StateStore reader = store();
      Namespace ns = small();
      Recorder recorder = new Recorder();
      Watch watch = reader.watch(ns, recorder);
      try {
        writer.update(ns, "before", set("a", "1"));
        nextEvent(recorder.events, "before");

        faults.get().cutConnections();

        awaitWrites("the writer to write again after its connections were cut", writer, ns, "k");
        awaitHeard("a change after the cut to reach the watcher", writer, ns, "after", recorder);
      } finally {
        watch.close();
      }
    }

    @Test
    void aStrandedConnectionIsGivenUpAndServiceResumes() throws Exception {
      Optional<NetworkFaults> faults = networkFaults();
      assumeTrue(faults.isPresent(), "this store's test cannot strand connections");
      StateStore store = store();
      Namespace ns = small();
      store.update(ns, "k", set("a", "1"));

      // Half-open: the connection the store holds will never answer again, but a new one would.
      faults.get().strandConnections();

      awaitWrites("the store to give up its silent connection and write again", store, ns, "after");
      assertThat(store.read(ns, "k")).isPresent();
    }

    @Test
    void aWatcherOnAStrandedConnectionResyncsOrHearsWhatItMissedAndLaterChanges() throws Exception {
      Optional<NetworkFaults> faults = networkFaults();
      assumeTrue(faults.isPresent(), "this store's test cannot strand connections");
      StateStore reader = store();
      Namespace ns = small();
      Recorder recorder = new Recorder();
      Watch watch = reader.watch(ns, recorder);
      try {
        faults.get().strandConnections();
        // The writer connects after the strand, so only the reader's connections are silent.
        StateStore writer = store();
        awaitWrites("the writer to write", writer, ns, "during");

        // A change made while the watcher's connection is silent may be lost on the way: the
        // watcher must hear it, or be told to resynchronise (and re-read what it missed).
        awaitTrue(
            "the change made during the strand to reach the watcher, or a resync",
            Duration.ofSeconds(30),
            () ->
                recorder.resyncs.get() > 0
                    || recorder.events.stream().anyMatch(event -> event.key().equals("during")));
        awaitHeard("a change after the strand to reach the watcher", writer, ns, "after", recorder);
      } finally {
        watch.close();
      }
    }

    @Test
    void aStoppedServerGivesStateUnavailableWithinTheTimeoutAndServiceResumes() throws Exception {
      assumeTrue(canStopServer(), "this store's server cannot be stopped by the test");
      StateStore store = store();
      Namespace ns = small();
      store.update(ns, "k", set("a", "1"));
      long bound = operationTimeout().toMillis() * 3 + 3000;

      stopServer();
      try {
        List<Runnable> operations =
            List.of(
                () -> store.read(ns, "k"),
                () -> store.update(ns, "k", set("a", "2")),
                () -> store.delete(ns, "k", Precondition.none()),
                () -> store.list(ns));
        for (Runnable operation : operations) {
          long start = System.nanoTime();
          assertThatThrownBy(operation::run).isInstanceOf(StateUnavailableException.class);
          long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
          assertThat(elapsed).as("a failed call must not hang past its timeout").isLessThan(bound);
        }
      } finally {
        startServer();
      }

      awaitTrue(
          "the store to answer again after the restart",
          Duration.ofSeconds(30),
          () -> {
            try {
              store.update(ns, "after", set("a", "1"));
              return true;
            } catch (StateUnavailableException e) {
              return false;
            }
          });
      assertThat(store.read(ns, "after")).isPresent();
    }

    @Test
    void aWatcherIsToldToResyncAfterTheServerComesBack() throws Exception {
      assumeTrue(canStopServer(), "this store's server cannot be stopped by the test");
      StateStore writer = store();
      StateStore reader = store();
      Namespace ns = small();
      CountDownLatch resynced = new CountDownLatch(1);
      BlockingQueue<ChangeEvent> events = new LinkedBlockingQueue<>();
      Watch watch =
          reader.watch(
              ns,
              new WatchListener() {
                @Override
                public void onChange(ChangeEvent event) {
                  events.add(event);
                }

                @Override
                public void onResync() {
                  resynced.countDown();
                }
              });
      try {
        stopServer();
        Thread.sleep(outage().toMillis());
        startServer();
        assertThat(resynced.await(30, TimeUnit.SECONDS)).as("onResync after the outage").isTrue();
        awaitTrue(
            "the writer to reconnect",
            Duration.ofSeconds(30),
            () -> {
              try {
                writer.update(ns, "after-restart", set("a", "1"));
                return true;
              } catch (StateUnavailableException e) {
                return false;
              }
            });
        nextEvent(events, "after-restart");
      } finally {
        watch.close();
      }
    }
  }
}
