package dev.brownout.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.core.time.ManualClock;
import dev.brownout.state.ForwardingStateStore;
import dev.brownout.state.InMemoryStateStore;
import dev.brownout.state.Namespace;
import dev.brownout.state.StateRecord;
import dev.brownout.state.Update;
import dev.brownout.state.WriteResult;
import jakarta.servlet.http.HttpSessionAttributeListener;
import jakarta.servlet.http.HttpSessionBindingEvent;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Round trips, coalescing, modes, listeners and failures, on the in-memory store. */
class SessionBehaviourTest {
  final ManualClock clock = new ManualClock();
  final BrownoutMetrics metrics = BrownoutMetrics.inMemory();
  final InMemoryStateStore memory = InMemoryStateStore.builder().clock(clock).build();
  final AtomicInteger reads = new AtomicInteger();
  final AtomicInteger writes = new AtomicInteger();
  final List<Update> updates = new java.util.concurrent.CopyOnWriteArrayList<>();
  final List<AutoCloseable> closing = new ArrayList<>();

  /** Counts the calls the session module makes. */
  final ForwardingStateStore counting =
      new ForwardingStateStore(memory) {
        @Override
        public Optional<StateRecord> read(Namespace namespace, String key) {
          reads.incrementAndGet();
          return super.read(namespace, key);
        }

        @Override
        public WriteResult update(Namespace namespace, String key, Update update) {
          writes.incrementAndGet();
          updates.add(update);
          return super.update(namespace, key, update);
        }

        @Override
        public void close() {}
      };

  @BeforeEach
  void reset() {
    reads.set(0);
    writes.set(0);
    updates.clear();
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  Sessions sessions(BrownoutConfig.Builder config, Object... listeners) {
    Sessions.Builder builder =
        Sessions.builder(counting).config(config.build()).clock(clock).metrics(metrics);
    for (Object listener : listeners) {
      builder.listener((java.util.EventListener) listener);
    }
    Sessions sessions = builder.build();
    closing.add(0, sessions);
    return sessions;
  }

  SessionServer server(Sessions sessions) {
    SessionServer server = new SessionServer(sessions);
    closing.add(0, server);
    return server;
  }

  static BrownoutConfig.Builder config() {
    return SessionContract.config();
  }

  @Test
  void aChangedRequestIsOneReadAndOneWriteAndAnUnchangedOneOnlyAReadUntilTheExpiryIsDue() {
    SessionServer server = server(sessions(config()));
    String id = server.get("set=a:1", null).newId().orElseThrow();
    assertThat(reads.get()).isZero();
    assertThat(writes.get()).isEqualTo(1);

    reset();
    server.get("set=b:2", id);
    assertThat(reads.get()).isEqualTo(1);
    assertThat(writes.get()).isEqualTo(1);

    reset();
    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofSeconds(30));
      server.get("peek", id);
    }
    assertThat(reads.get()).isEqualTo(5);
    assertThat(writes.get()).as("2.5 minutes is under 10% of 30 minutes").isZero();

    reset();
    clock.advance(Duration.ofSeconds(31));
    assertThat(server.get("peek", id).body()).isEqualTo("a=1\nb=2");
    assertThat(writes.get()).as("past 10%: the expiry is refreshed").isEqualTo(1);

    reset();
    server.get("", null);
    server.send("", null, List.of());
    assertThat(reads.get()).as("no cookie, no read").isZero();
  }

  @Test
  void aChangedRequestWritesTheLastAccessAndExpiryOnlyWhenTheyAreDue() {
    SessionServer server = server(sessions(config()));
    String id = server.get("set=a:1", null).newId().orElseThrow();
    Instant expiry =
        memory
            .read(SessionRepository.SESSIONS, SessionIds.key(id))
            .orElseThrow()
            .expiresAt()
            .orElseThrow();

    reset();
    clock.advance(Duration.ofMinutes(1));
    server.get("set=b:2", id);
    assertThat(updates).hasSize(1);
    assertThat(updates.get(0).sets().keySet()).containsExactly("a:b");
    assertThat(updates.get(0).expiryChange()).isEqualTo(Update.ExpiryChange.KEEP);
    assertThat(
            memory.read(SessionRepository.SESSIONS, SessionIds.key(id)).orElseThrow().expiresAt())
        .hasValue(expiry);

    reset();
    clock.advance(Duration.ofMinutes(2));
    server.get("set=c:3", id);
    assertThat(updates.get(0).sets().keySet()).contains("a:c", "_a");
    assertThat(updates.get(0).expiryChange()).isEqualTo(Update.ExpiryChange.SET);
    assertThat(
            memory.read(SessionRepository.SESSIONS, SessionIds.key(id)).orElseThrow().expiresAt())
        .hasValue(expiry.plus(Duration.ofMinutes(3)));
    assertThat(server.get("peek", id).body()).isEqualTo("a=1\nb=2\nc=3");
  }

  @Test
  void aRequestThatNeverAsksForItsSessionCostsNothing() {
    SessionServer server = server(sessions(config()));
    String id = server.get("set=a:1", null).newId().orElseThrow();
    reset();
    server.send("none", "SESSION=" + id, List.of());
    assertThat(reads.get()).isZero();
    assertThat(writes.get()).isZero();
  }

  @Test
  void anIdleSessionExpiresByTheStoresOwnTtl() {
    SessionServer server =
        server(sessions(config().set(SessionConfig.MAX_INACTIVE, Duration.ofMinutes(5))));
    String id = server.get("set=a:1", null).newId().orElseThrow();
    clock.advance(Duration.ofMinutes(5).plusSeconds(1));
    assertThat(server.get("peek", id).body()).isEqualTo("none");
  }

  @Test
  void anAbsoluteTimeoutEndsEvenAnActiveSession() {
    SessionServer server =
        server(sessions(config().set(SessionConfig.ABSOLUTE_TIMEOUT, Duration.ofMinutes(20))));
    String id = server.get("set=a:1", null).newId().orElseThrow();
    for (int i = 0; i < 3; i++) {
      clock.advance(Duration.ofMinutes(6));
      assertThat(server.get("set=b:" + i, id).body()).startsWith("a=1");
    }
    clock.advance(Duration.ofMinutes(3));
    assertThat(server.get("peek", id).body()).isEqualTo("none");
  }

  @Test
  void optimisticModeRefusesASaveWhoseAttributeAnotherSaveChangedFirstAndReportsIt() {
    List<SessionConflict> conflicts = new CopyOnWriteArrayList<>();
    Sessions sessions =
        Sessions.builder(counting)
            .config(config().set(SessionConfig.CONCURRENCY, ConcurrencyMode.OPTIMISTIC).build())
            .clock(clock)
            .metrics(metrics)
            .conflictListener(conflicts::add)
            .build();
    closing.add(sessions);
    SessionRepository repository = sessions.repository();
    SessionData created = SessionData.create(clock.instant(), Duration.ofMinutes(30), null);
    created.values.put("cart", "empty");
    created.changed.add("cart");
    repository.save(created);

    SessionData one = repository.load(created.id).orElseThrow();
    SessionData two = repository.load(created.id).orElseThrow();
    one.values.put("cart", "book");
    one.changed.add("cart");
    two.values.put("cart", "lamp");
    two.changed.add("cart");
    two.values.put("theme", "dark");
    two.changed.add("theme");
    assertThat(repository.save(one)).isEqualTo(SaveOutcome.UPDATED);
    assertThat(repository.save(two)).isEqualTo(SaveOutcome.CONFLICT);

    // The first save's value is kept, and nothing of the refused save is written: not even the
    // attribute only it changed, so the request can be answered "not saved" truthfully.
    SessionData after = repository.load(created.id).orElseThrow();
    assertThat(repository.attribute(after, "cart")).isEqualTo("book");
    assertThat(repository.attribute(after, "theme")).isNull();
    assertThat(conflicts)
        .containsExactly(
            new SessionConflict(
                created.key, SessionConflict.Kind.ATTRIBUTES, java.util.Set.of("cart")));
    assertThat(metrics.counter(SessionMetrics.CONFLICTS, "memory", "attributes").count())
        .isEqualTo(1);
  }

  @Test
  void lockModeRefusesARequestWhoseSessionIsLockedTooLongWithA409() {
    Sessions sessions =
        sessions(
            config()
                .set(SessionConfig.CONCURRENCY, ConcurrencyMode.LOCK)
                .set(SessionConfig.LOCK_WAIT, Duration.ofMillis(200)));
    SessionServer server = server(sessions);
    String id = server.get("set=a:1", null).newId().orElseThrow();
    SessionLocks locks =
        new SessionLocks(counting, clock, metrics, Duration.ZERO, Duration.ofSeconds(30));
    SessionLocks.Lock held = locks.acquire(SessionIds.key(id)).orElseThrow();

    SessionServer.Reply refused = server.get("set=b:2", id);
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.raw().headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
    assertThat(refused.body()).contains(SessionFilter.LOCK_PROBLEM_TYPE);
    assertThat(refused.raw().headers().firstValue("Retry-After")).isPresent();

    locks.release(held);
    assertThat(server.get("set=b:2", id).body()).isEqualTo("a=1\nb=2");
    assertThat(metrics.timer(SessionMetrics.LOCK_WAIT, "timeout").count()).isEqualTo(1);
  }

  @Test
  void listenersHearWhatTheApplicationDoes() {
    List<String> heard = new CopyOnWriteArrayList<>();
    class Everything
        implements HttpSessionListener, HttpSessionAttributeListener, HttpSessionIdListener {
      @Override
      public void sessionCreated(HttpSessionEvent se) {
        heard.add("created");
      }

      @Override
      public void sessionDestroyed(HttpSessionEvent se) {
        heard.add("destroyed");
      }

      @Override
      public void attributeAdded(HttpSessionBindingEvent e) {
        heard.add("added " + e.getName() + "=" + e.getValue());
      }

      @Override
      public void attributeReplaced(HttpSessionBindingEvent e) {
        heard.add("replaced " + e.getName() + " was " + e.getValue());
      }

      @Override
      public void attributeRemoved(HttpSessionBindingEvent e) {
        heard.add("removed " + e.getName() + " was " + e.getValue());
      }

      @Override
      public void sessionIdChanged(HttpSessionEvent event, String oldSessionId) {
        heard.add("id changed");
      }
    }
    SessionServer server = server(sessions(config(), new Everything()));
    String id = server.get("set=a:1", null).newId().orElseThrow();
    server.get("set=a:2&remove=a&rotate", id);
    assertThat(heard)
        .containsExactly(
            "created", "added a=1", "replaced a was 1", "removed a was 2", "id changed");
  }

  @Test
  void anAttributeThatNoLongerDecodesIsDroppedAloneAndCounted() {
    SessionServer server = server(sessions(config()));
    String id = server.get("set=good:1&set=bad:2", null).newId().orElseThrow();
    memory.update(
        SessionRepository.SESSIONS,
        SessionIds.key(id),
        Update.builder().set(SessionData.field("bad"), "{\"t\":\"gone.Type\",\"v\":{}}").build());

    assertThat(server.get("peek", id).body()).isEqualTo("good=1");
    assertThat(metrics.counter(SessionMetrics.CODEC_FAILURES, "json", "drop-attribute").count())
        .isEqualTo(1);
    assertThat(
            memory.read(SessionRepository.SESSIONS, SessionIds.key(id)).orElseThrow().fieldNames())
        .as("removed at the next save")
        .doesNotContain(SessionData.field("bad"));
  }

  @Test
  void theInvalidatePolicyStartsTheUserOverWithANewId() {
    SessionServer server =
        server(sessions(config().set(SessionConfig.CODEC_FAILURE, CodecFailurePolicy.INVALIDATE)));
    String id = server.get("set=good:1&set=bad:2", null).newId().orElseThrow();
    memory.update(
        SessionRepository.SESSIONS,
        SessionIds.key(id),
        Update.builder().set(SessionData.field("bad"), "not json").build());

    SessionServer.Reply reply = server.get("peek", id);
    String fresh = reply.newId().orElseThrow();
    assertThat(fresh).isNotEqualTo(id);
    assertThat(
            memory.read(SessionRepository.SESSIONS, SessionIds.key(id)).orElseThrow().fieldNames())
        .as("every attribute dropped")
        .noneMatch(name -> name.startsWith(SessionData.ATTRIBUTE));
    assertThat(server.get("peek", id).body()).as("the old id is dead").isEqualTo("none");
    assertThat(server.get("peek", fresh).body()).isEmpty();
  }

  @Test
  void inPlaceChangesAreSavedOnlyWhenDetectionIsOn() {
    for (boolean detect : List.of(false, true)) {
      Sessions sessions = sessions(config().set(SessionConfig.DETECT_IN_PLACE_CHANGES, detect));
      SessionRepository repository = sessions.repository();
      SessionData data = SessionData.create(clock.instant(), Duration.ofMinutes(30), null);
      data.values.put("cart", new ArrayList<>(List.of("book")));
      data.changed.add("cart");
      repository.save(data);

      SessionData next = repository.load(data.id).orElseThrow();
      @SuppressWarnings("unchecked")
      List<Object> cart = (List<Object>) repository.attribute(next, "cart");
      cart.add("lamp");
      repository.save(next);

      Object stored = repository.attribute(repository.load(data.id).orElseThrow(), "cart");
      assertThat(stored)
          .as("detect=%s", detect)
          .isEqualTo(detect ? List.of("book", "lamp") : List.of("book"));
    }
  }

  @Test
  void headerIdsServeApisWithoutCookies() {
    SessionServer server =
        server(sessions(config().set(SessionConfig.HEADER_NAME, "X-Session-Token")));
    SessionServer.Reply first = server.get("set=a:1", null);
    assertThat(first.setCookies()).isEmpty();
    String token = first.raw().headers().firstValue("X-Session-Token").orElseThrow();
    assertThat(SessionIds.wellFormed(token)).isTrue();

    SessionServer.Reply second = server.send("peek", null, List.of("X-Session-Token", token));
    assertThat(second.body()).isEqualTo("a=1");
  }

  @Test
  void creatingASessionAfterTheResponseIsCommittedFailsAsTheSpecSays() {
    SessionServer server = server(sessions(config()));
    SessionServer.Reply reply = server.get("late", null);
    assertThat(reply.body()).contains("after the response has been committed");
    assertThat(reply.setCookies()).isEmpty();
  }

  @Test
  void codeOutsideARequestUsesTheSameDeltaRules() {
    SessionRepository repository = sessions(config()).repository();
    SessionHandle created = repository.create(Duration.ofMinutes(30)).setAttribute("a", "1");
    assertThat(created.save()).isEqualTo(SaveOutcome.CREATED);

    SessionHandle opened = repository.open(created.id()).orElseThrow();
    assertThat(opened.attribute("a")).isEqualTo("1");
    assertThat(opened.save()).isEqualTo(SaveOutcome.UNCHANGED);
    assertThat(opened.setAttribute("b", 2).save()).isEqualTo(SaveOutcome.UPDATED);
    assertThat(repository.open(created.id()).orElseThrow().attributeNames())
        .containsExactlyInAnyOrder("a", "b");

    SessionHandle stale = repository.open(created.id()).orElseThrow();
    assertThat(repository.open(created.id()).orElseThrow().invalidate().save())
        .isEqualTo(SaveOutcome.DELETED);
    assertThat(stale.setAttribute("c", 3).save())
        .as("an invalidated session is not brought back, and the change is refused, not dropped")
        .isEqualTo(SaveOutcome.CONFLICT);
    assertThat(stale.save())
        .as("a refused handle saves nothing more")
        .isEqualTo(SaveOutcome.CONFLICT);
    assertThat(repository.open(created.id())).isEmpty();
    assertThat(repository.open("not-an-id")).isEmpty();
    assertThatThrownBy(() -> repository.create(Duration.ZERO)).hasMessageContaining("maxInactive");
    assertThatThrownBy(() -> created.setAttribute("x".repeat(300), 1))
        .hasMessageContaining("UTF-8 bytes");
  }

  @Test
  void everyDeclaredMeterIsRegisteredAndCounts() {
    SessionServer server = server(sessions(config()));
    String id = server.get("set=a:1", null).newId().orElseThrow();
    server.get("peek", id);
    server.get("invalidate", id);
    assertThat(metrics.timer(SessionMetrics.LOAD, "memory", "found").count()).isEqualTo(2);
    assertThat(metrics.timer(SessionMetrics.SAVE, "memory", "created").count()).isEqualTo(1);
    assertThat(metrics.timer(SessionMetrics.SAVE, "memory", "unchanged").count()).isEqualTo(1);
    assertThat(metrics.timer(SessionMetrics.SAVE, "memory", "deleted").count()).isEqualTo(1);
    assertThat(metrics.counter(SessionMetrics.EVENTS, "created").count()).isEqualTo(1);
    assertThat(metrics.counter(SessionMetrics.EVENTS, "invalidated").count()).isEqualTo(1);
    assertThat(metrics.distribution(SessionMetrics.BYTES_WRITTEN, "memory").count()).isEqualTo(1);
    for (var spec : SessionMetrics.all()) {
      assertThat(spec.name()).startsWith("brownout.session.");
    }
  }

  @Test
  void badConfigurationIsRefusedWithTheKeyNamed() {
    assertThatThrownBy(
            () ->
                Sessions.builder(counting)
                    .config(
                        config()
                            .set(SessionConfig.STORE_DOWN, StoreDownPolicy.SERVE_CACHED)
                            .build())
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("brownout.session.near-cache.size");
    assertThatThrownBy(
            () ->
                Sessions.builder(counting)
                    .config(config().set(SessionConfig.COOKIE_SAME_SITE, "Sometimes").build())
                    .build())
        .hasMessageContaining("brownout.session.cookie.same-site");
    assertThatThrownBy(() -> Sessions.builder(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("store");
    assertThatThrownBy(() -> Sessions.builder(counting).listener(new java.util.EventListener() {}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aRequestStillCarryingAnIdReplacedAMomentAgoIsRefusedNotStartedOver() {
    SessionServer server = server(sessions(config()));
    String old = server.get("set=cart:1", null).newId().orElseThrow();
    String signedIn = server.get("login=ada", old).newId().orElseThrow();

    // Sent before the sign-in's answer arrived: a new session would sign the browser out again.
    SessionServer.Reply late = server.get("set=late:1", old);
    assertThat(late.status()).isEqualTo(409);
    assertThat(late.body()).contains(SessionFilter.CONFLICT_PROBLEM_TYPE).contains("rotated");
    assertThat(late.setCookies()).isEmpty();
    assertThat(server.get("peek", old).body()).as("it still names nothing").isEqualTo("none");
    assertThat(metrics.counter(SessionMetrics.CONFLICTS, "memory", "rotated").count()).isEqualTo(1);

    // Long after, the old id is just an unknown one: a fresh session.
    clock.advance(SessionData.ROTATION_GRACE.plusSeconds(1));
    SessionServer.Reply stale = server.get("set=late:1", old);
    assertThat(stale.status()).isEqualTo(200);
    assertThat(stale.newId()).isPresent().get().isNotIn(old, signedIn);
    assertThat(server.get("peek", signedIn).body()).isEqualTo("cart=1");
  }
}
