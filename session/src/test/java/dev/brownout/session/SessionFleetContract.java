package dev.brownout.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.state.StateRecord;
import dev.brownout.state.StateStore;
import dev.brownout.state.testservers.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The session promise on a fleet: two real servlet containers on one real store, browsers of two
 * tabs each (one cookie jar, two threads at once), every request routed to either server at random,
 * for every concurrency mode and store-down policy. Each tab keeps a model of what its 200s said is
 * saved; at the end every browser's session is read back and compared. Counted: writes answered 200
 * and lost, 5xx answers, sessions signed out and alive again, records without their session fields.
 * Printed as a table; the zeros are asserted.
 */
abstract class SessionFleetContract {
  static final int BROWSERS = 3;
  static final int REQUESTS_PER_TAB = 24;

  final List<AutoCloseable> closing = new ArrayList<>();

  /** A new client of the shared store, as another server would have. */
  abstract StateStore client();

  /** Whether the store keeps changes across server sessions with a near cache (watches). */
  boolean nearCacheWatches() {
    return true;
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    closing.clear();
  }

  /** What one combination came to. */
  record Figures(
      String combination,
      int requests,
      int ok,
      int refused,
      int unavailable,
      int otherErrors,
      int lost,
      int restarted,
      int resurrected,
      int half) {
    String row() {
      return String.format(
          "| %-54s | %5d | %5d | %4d | %4d | %4d | %4d | %4d | %4d | %4d |",
          combination,
          requests,
          ok,
          refused,
          unavailable,
          otherErrors,
          lost,
          restarted,
          resurrected,
          half);
    }

    static String header() {
      return String.format(
          "| %-54s | %5s | %5s | %4s | %4s | %4s | %4s | %4s | %4s | %4s |",
          "mode / store-down / routing",
          "sent",
          "200",
          "409",
          "503",
          "5xx",
          "lost",
          "new",
          "back",
          "half");
    }
  }

  record Fleet(List<SessionServer> servers, List<Sessions> sessions, boolean sticky) {
    SessionServer pick(int browser) {
      return sticky
          ? servers.get(browser % servers.size())
          : servers.get(ThreadLocalRandom.current().nextInt(servers.size()));
    }
  }

  Fleet fleet(BrownoutConfig config, boolean sticky) {
    List<SessionServer> servers = new ArrayList<>();
    List<Sessions> all = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Sessions sessions = Sessions.builder(client()).config(config).build();
      SessionServer server = new SessionServer(sessions);
      closing.add(0, sessions);
      closing.add(0, server);
      servers.add(server);
      all.add(sessions);
    }
    return new Fleet(servers, all, sticky);
  }

  static BrownoutConfig config(ConcurrencyMode mode, StoreDownPolicy policy) {
    BrownoutConfig.Builder config =
        SessionContract.config()
            .set(SessionConfig.CONCURRENCY, mode)
            .set(SessionConfig.STORE_DOWN, policy);
    if (policy == StoreDownPolicy.SERVE_CACHED) {
      config.set(SessionConfig.NEAR_CACHE_SIZE, 1000);
    }
    return config.build();
  }

  /** As the docs say to run a near cache without sticky sessions: hits validated. */
  static BrownoutConfig randomRouted(ConcurrencyMode mode, StoreDownPolicy policy) {
    BrownoutConfig config = config(mode, policy);
    return policy == StoreDownPolicy.SERVE_CACHED
        ? SessionContract.config()
            .set(SessionConfig.CONCURRENCY, mode)
            .set(SessionConfig.STORE_DOWN, policy)
            .set(SessionConfig.NEAR_CACHE_SIZE, 1000)
            .set(SessionConfig.NEAR_CACHE_VALIDATE, true)
            .build()
        : config;
  }

  /**
   * The session as the store has it, read by a server of its own with no near cache, once the store
   * answers.
   */
  String storedSession(String id) {
    try (Sessions reader = Sessions.builder(client()).build();
        SessionServer server = new SessionServer(reader)) {
      String[] body = new String[1];
      Await.until(
          "the store answers",
          Duration.ofSeconds(20),
          Duration.ofMillis(100),
          () -> {
            SessionServer.Reply reply = server.get("peek", id);
            body[0] = reply.body();
            return reply.status() == 200;
          });
      return body[0];
    }
  }

  /** One browser: a cookie jar its tabs share, and what its 200s said is in the session. */
  static final class Browser {
    final int number;
    final AtomicReference<String> cookie = new AtomicReference<>();
    final Map<String, Boolean> expected = new ConcurrentHashMap<>();
    // A sign-in (an id rotation) not answered 200: it may still have happened in the store.
    volatile boolean signInUnanswered;

    Browser(int number) {
      this.number = number;
    }

    void heard(SessionServer.Reply reply) {
      for (String header : reply.setCookies()) {
        String value = header.substring(header.indexOf('=') + 1, header.indexOf(';'));
        cookie.set(value.isEmpty() ? null : value);
      }
    }
  }

  /** Counts of answers, shared by every tab. */
  static final class Answers {
    final AtomicInteger sent = new AtomicInteger();
    final AtomicInteger ok = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();
    final AtomicInteger unavailable = new AtomicInteger();
    final AtomicInteger other = new AtomicInteger();
    final AtomicInteger restarted = new AtomicInteger();

    void count(int status) {
      sent.incrementAndGet();
      switch (status) {
        case 200 -> ok.incrementAndGet();
        case 409 -> refused.incrementAndGet();
        case 503 -> unavailable.incrementAndGet();
        default -> other.incrementAndGet();
      }
    }
  }

  /** One tab's requests: mostly writes of its own attributes, some removals, sign-ins, reads. */
  static void tab(Fleet fleet, Browser browser, int tab, Answers answers, Runnable midway) {
    List<String> mine = new ArrayList<>();
    for (int j = 0; j < REQUESTS_PER_TAB; j++) {
      if (tab == 0 && j == REQUESTS_PER_TAB / 3) {
        midway.run();
      }
      String id = browser.cookie.get();
      int roll = ThreadLocalRandom.current().nextInt(100);
      String name = "b" + browser.number + "t" + tab + "n" + j;
      String query;
      String removing = null;
      if (roll < 65 || mine.isEmpty()) {
        query = "set=" + name + ":v";
      } else if (roll < 80) {
        removing = mine.get(ThreadLocalRandom.current().nextInt(mine.size()));
        query = "remove=" + removing;
      } else if (roll < 90) {
        query = "login=user" + browser.number;
      } else {
        query = "peek";
      }
      SessionServer.Reply reply = fleet.pick(browser.number).get(query, id);
      if (System.getenv("FLEET_DEBUG") != null) {
        System.out.println(
            "DEBUG b"
                + browser.number
                + "t"
                + tab
                + "j"
                + j
                + " "
                + query
                + " "
                + id
                + " -> "
                + reply.status()
                + " "
                + reply.newId().orElse("-")
                + " loaded="
                + reply.raw().headers().firstValue("X-Session-Loaded").orElse("?"));
      }
      answers.count(reply.status());
      browser.heard(reply);
      if (reply.status() != 200) {
        if (query.startsWith("login=")) {
          browser.signInUnanswered = true;
        }
        if (removing != null) {
          // Not answered 200: it may still have happened (a write whose answer was lost), so what
          // it removes is known neither way.
          browser.expected.remove(removing);
          mine.remove(removing);
        }
        continue;
      }
      if (id != null
          && reply.newId().isPresent()
          && reply.raw().headers().firstValue("X-Session-Loaded").orElse("").equals("false")) {
        // The id the browser holds named nothing: it was given a fresh session, and everything
        // its session held is gone from its view. Counted; never expected with the store up.
        answers.restarted.incrementAndGet();
        browser.expected.clear();
      }
      if (query.startsWith("set=")) {
        mine.add(name);
        browser.expected.put(name, true);
      } else if (removing != null) {
        mine.remove(removing);
        browser.expected.remove(removing);
      }
    }
  }

  Figures run(String label, BrownoutConfig config, boolean sticky, Outage outage) throws Exception {
    Fleet fleet = fleet(config, sticky);
    Answers answers = new Answers();
    List<Browser> browsers = new ArrayList<>();
    for (int b = 0; b < BROWSERS; b++) {
      Browser browser = new Browser(b);
      SessionServer.Reply first = fleet.pick(b).get("set=start:1", null);
      assertThat(first.status()).isEqualTo(200);
      browser.heard(first);
      browser.expected.put("start", true);
      browsers.add(browser);
    }
    ExecutorService pool = Executors.newFixedThreadPool(BROWSERS * 2);
    try {
      List<Future<?>> tabs = new ArrayList<>();
      for (Browser browser : browsers) {
        for (int t = 0; t < 2; t++) {
          int tab = t;
          Runnable midway = browser.number == 0 ? outage::begin : () -> {};
          tabs.add(pool.submit(() -> tab(fleet, browser, tab, answers, midway)));
        }
      }
      for (Future<?> tab : tabs) {
        tab.get();
      }
    } finally {
      pool.shutdownNow();
    }
    outage.end(fleet);
    int lost = 0;
    int half = 0;
    for (Browser browser : browsers) {
      String id = browser.cookie.get();
      assertThat(id).as("browser %d has a session", browser.number).isNotNull();
      Set<String> present = SessionPromisesTest.attributes(storedSession(id)).keySet();
      if (present.isEmpty() && browser.signInUnanswered && rotatedAway(id)) {
        // The documented trade: a sign-in whose answer was lost while the store failed may still
        // have rotated the id in the store. The old id then reaches nothing (it must not, against
        // fixation) and the visitor signs in again. Reported, not counted as lost: every
        // attribute is still in the record, under the id the answer would have carried.
        System.out.println(
            label
                + ": browser "
                + browser.number
                + " holds an id an unanswered sign-in rotated away ("
                + browser.expected.size()
                + " attributes kept under the new id)");
        continue;
      }
      for (String name : browser.expected.keySet()) {
        if (!present.contains(name)) {
          if (System.getenv("FLEET_DEBUG") != null) {
            Optional<StateRecord> raw =
                client().read(SessionRepository.SESSIONS, SessionIds.key(id));
            System.out.println(
                "DEBUG lost "
                    + name
                    + " in "
                    + id
                    + " raw="
                    + raw.map(
                            r ->
                                r.fieldNames()
                                    + " v"
                                    + r.version()
                                    + " secretOk="
                                    + SessionIds.matches(
                                        SessionIds.secret(id),
                                        r.field(SessionData.SECRET).orElse(null)))
                        .orElse("absent")
                    + " stored="
                    + storedSession(id).replace('\n', ','));
          }
          lost++;
        }
      }
      half += halfRecord(id) ? 1 : 0;
    }
    // Signing out: each browser's sign-out races a last write from its other tab. A sign-out
    // answered 200 must leave nothing alive under either id.
    int resurrected = 0;
    for (Browser browser : browsers) {
      String id = browser.cookie.get();
      List<SessionServer.Reply> replies =
          SessionPromisesTest.concurrently(
              2,
              List.of(
                  () -> fleet.pick(browser.number).get("invalidate", id),
                  () -> fleet.pick(browser.number).get("set=last:1&slow=5", id)));
      answers.count(replies.get(0).status());
      answers.count(replies.get(1).status());
      if (replies.get(0).status() == 200
          && replies
              .get(0)
              .raw()
              .headers()
              .firstValue("X-Session-Loaded")
              .orElse("")
              .equals("true")) {
        if (!storedSession(id).equals("none")) {
          resurrected++;
        }
      }
      half += halfRecord(id) ? 1 : 0;
    }
    return new Figures(
        label,
        answers.sent.get(),
        answers.ok.get(),
        answers.refused.get(),
        answers.unavailable.get(),
        answers.other.get(),
        lost,
        answers.restarted.get(),
        resurrected,
        half);
  }

  /**
   * Whether the record under {@code id}'s key is there, with its session fields, under another
   * secret: the id was rotated, and the browser never heard the new one.
   */
  boolean rotatedAway(String id) {
    Optional<StateRecord> raw = client().read(SessionRepository.SESSIONS, SessionIds.key(id));
    return raw.isPresent()
        && raw.get().field(SessionData.SECRET).isPresent()
        && !SessionIds.matches(
            SessionIds.secret(id), raw.get().field(SessionData.SECRET).orElse(null));
  }

  /** Whether the record under {@code id}'s key exists without its session fields. */
  boolean halfRecord(String id) {
    StateStore store = client();
    Optional<StateRecord> record = store.read(SessionRepository.SESSIONS, SessionIds.key(id));
    return record.isPresent()
        && !record
            .get()
            .fieldNames()
            .containsAll(
                Set.of(SessionData.CREATED, SessionData.ACCESSED, SessionData.MAX_INACTIVE));
  }

  /** What happens to the store midway through a run. */
  interface Outage {
    void begin();

    /** Ends the outage and waits for every server to write back what it holds. */
    void end(Fleet fleet);

    Outage NONE =
        new Outage() {
          @Override
          public void begin() {}

          @Override
          public void end(Fleet fleet) {}
        };
  }

  /** Waits until no server holds changes any more. */
  static void awaitWrittenBack(Fleet fleet) {
    Await.until(
        "every held change written back",
        Duration.ofSeconds(30),
        Duration.ofMillis(100),
        () -> fleet.sessions().stream().allMatch(s -> s.resyncPending() == 0));
  }

  @Test
  void everyModeAndPolicyKeepsItsPromiseOnTwoServersWithRandomRouting() throws Exception {
    List<Figures> figures = new ArrayList<>();
    for (ConcurrencyMode mode : ConcurrencyMode.values()) {
      for (StoreDownPolicy policy : StoreDownPolicy.values()) {
        if (policy == StoreDownPolicy.SERVE_CACHED && !nearCacheWatches()) {
          continue;
        }
        String label =
            mode.name().toLowerCase() + " / " + policy.name().toLowerCase() + " / random";
        figures.add(run(label, randomRouted(mode, policy), false, Outage.NONE));
        close();
      }
    }
    print(figures);
    for (Figures f : figures) {
      assertThat(f.lost()).as("%s: acknowledged and lost", f.combination()).isZero();
      assertThat(f.restarted()).as("%s: sessions lost whole", f.combination()).isZero();
      assertThat(f.unavailable() + f.otherErrors()).as("%s: 5xx", f.combination()).isZero();
      assertThat(f.resurrected()).as("%s: signed out and back", f.combination()).isZero();
      assertThat(f.half()).as("%s: half sessions", f.combination()).isZero();
    }
  }

  void print(List<Figures> figures) {
    StringBuilder table = new StringBuilder("\n" + getClass().getSimpleName() + "\n");
    table.append(Figures.header()).append('\n');
    figures.forEach(f -> table.append(f.row()).append('\n'));
    System.out.println(table);
  }
}
