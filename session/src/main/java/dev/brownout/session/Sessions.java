package dev.brownout.session;

import dev.brownout.core.buffer.BoundedBuffer;
import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.config.Settings;
import dev.brownout.core.internal.DaemonThreads;
import dev.brownout.core.internal.OutageLog;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.core.time.BrownoutClock;
import dev.brownout.state.ForwardingStateStore;
import dev.brownout.state.NearCache;
import dev.brownout.state.RecordTooLargeException;
import dev.brownout.state.StateException;
import dev.brownout.state.StateStore;
import dev.brownout.state.StateUnavailableException;
import jakarta.servlet.http.HttpSession;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EventListener;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Externalized HTTP sessions: the entry point. Build one per application around a {@link
 * StateStore}, install its {@link #filter()} first in the chain, and existing {@code HttpSession}
 * code keeps working on any server:
 *
 * <pre>{@code
 * Sessions sessions = Sessions.builder(redisStore).build();
 * context.addFilter(new FilterHolder(sessions.filter()), "/*", EnumSet.of(DispatcherType.REQUEST));
 * }</pre>
 *
 * Building never calls the store, so an application starts while its store is down. {@link
 * #repository()} looks sessions up and signs principals out everywhere. {@link #close()} stops the
 * re-sync of held changes; it does not close the store.
 */
public final class Sessions implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Sessions.class);

  private final SessionRepository repository;
  private final @Nullable SessionLocks locks;
  private final @Nullable NearCache nearCache;
  private final SessionListeners listeners;
  private final BrownoutMetrics metrics;
  private final StoreDownPolicy storeDown;
  private final Duration retryAfter;
  private final Duration maxInactive;
  private final Duration absoluteTimeout;
  private final String cookieName;
  private final String sameSite;
  private final @Nullable String headerName;
  private final SessionConfig.LockTimeoutAction lockTimeoutAction;
  // Changes held while the store is down (serve-cached), by session key; guarded by itself, as are
  // writeBack and queued.
  private final Map<String, Held> pending = new LinkedHashMap<>();
  private long heldSequence;
  // The order held changes are written back in: each held session's key once, from when it is
  // first held until the write-back reaches it (if a request wrote the change meanwhile, the
  // write-back skips it, or a compaction drops it when room is short), so no more sessions are
  // held than brownout.session.max-held-sessions. Null unless serve-cached.
  private final @Nullable BoundedBuffer<String> writeBack;
  private final Set<String> queued = new HashSet<>();
  private final Object writingBack = new Object();
  private final SessionConfig.CookieSecure cookieSecure;
  private final int conflictStatus;
  private final @Nullable ScheduledExecutorService resync;
  private @Nullable SessionFilter filter;
  private final OutageLog outage;

  private Sessions(Builder builder) {
    Settings config = builder.settings;
    this.metrics = builder.metrics;
    this.outage =
        new OutageLog(
            log,
            "Session store (" + builder.store.kind() + ")",
            builder.clock,
            OutageLog.DEFAULT_SUMMARY_INTERVAL);
    this.storeDown = config.get(SessionConfig.STORE_DOWN);
    int nearCacheSize = config.get(SessionConfig.NEAR_CACHE_SIZE);
    if (storeDown == StoreDownPolicy.SERVE_CACHED && nearCacheSize == 0) {
      throw new IllegalArgumentException(
          config.describe(SessionConfig.STORE_DOWN)
              + " needs the near cache, but "
              + config.describe(SessionConfig.NEAR_CACHE_SIZE)
              + ": set "
              + SessionConfig.NEAR_CACHE_SIZE.name()
              + " above 0, or choose another store-down policy");
    }
    StateStore store = builder.store;
    if (nearCacheSize > 0) {
      NearCache.Builder cache =
          NearCache.builder(new Unclosed(store))
              .maximumSize(nearCacheSize)
              .clock(builder.clock)
              .metrics(metrics)
              .serveStaleWhenDown(storeDown == StoreDownPolicy.SERVE_CACHED);
      if (config.get(SessionConfig.NEAR_CACHE_VALIDATE)) {
        cache.validateOnHit(SessionData.CREATED);
      }
      this.nearCache = cache.build();
      store = nearCache;
    } else {
      this.nearCache = null;
    }
    this.repository =
        new SessionRepository(
            store,
            nearCacheSize > 0,
            builder.codec,
            builder.clock,
            metrics,
            config.get(SessionConfig.CONCURRENCY),
            config.get(SessionConfig.TOUCH_THRESHOLD),
            config.get(SessionConfig.MAX_SESSIONS_PER_PRINCIPAL),
            config.get(SessionConfig.DETECT_IN_PLACE_CHANGES),
            config.get(SessionConfig.CODEC_FAILURE),
            builder.conflictListeners);
    this.locks =
        config.get(SessionConfig.CONCURRENCY) == ConcurrencyMode.LOCK
            ? new SessionLocks(
                builder.store,
                builder.clock,
                metrics,
                config.get(SessionConfig.LOCK_WAIT),
                config.get(SessionConfig.LOCK_LEASE))
            : null;
    this.lockTimeoutAction = config.get(SessionConfig.LOCK_ON_TIMEOUT);
    this.listeners = new SessionListeners(builder.listeners);
    this.retryAfter = config.get(SessionConfig.RETRY_AFTER);
    this.maxInactive = config.get(SessionConfig.MAX_INACTIVE);
    this.absoluteTimeout = config.get(SessionConfig.ABSOLUTE_TIMEOUT);
    this.cookieName = config.get(SessionConfig.COOKIE_NAME);
    if (!cookieName.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
      throw new IllegalArgumentException(
          config.describe(SessionConfig.COOKIE_NAME)
              + ": not a valid cookie name (letters, digits and !#$%&'*+.^_`|~-)");
    }
    String site = config.get(SessionConfig.COOKIE_SAME_SITE);
    this.sameSite =
        switch (site.toLowerCase(Locale.ROOT)) {
          case "lax" -> "Lax";
          case "strict" -> "Strict";
          case "none" -> "None";
          default ->
              throw new IllegalArgumentException(
                  config.describe(SessionConfig.COOKIE_SAME_SITE)
                      + ": must be Lax, Strict or None");
        };
    this.cookieSecure = config.get(SessionConfig.COOKIE_SECURE);
    if (cookieSecure == SessionConfig.CookieSecure.NEVER && sameSite.equals("None")) {
      throw new IllegalArgumentException(
          config.describe(SessionConfig.COOKIE_SECURE)
              + " but "
              + config.describe(SessionConfig.COOKIE_SAME_SITE)
              + ": browsers drop a SameSite=None cookie that is not Secure");
    }
    this.conflictStatus = config.get(SessionConfig.CONFLICT_STATUS);
    String header = config.find(SessionConfig.HEADER_NAME).orElse("");
    if (!header.isEmpty() && !header.matches("[A-Za-z0-9-]+")) {
      throw new IllegalArgumentException(
          config.describe(SessionConfig.HEADER_NAME)
              + ": not a valid header name (letters, digits and '-')");
    }
    this.headerName = header.isEmpty() ? null : header;
    metrics.gauge(SessionMetrics.PENDING, pending, Sessions::sizeOf);
    if (storeDown == StoreDownPolicy.SERVE_CACHED) {
      this.writeBack =
          BoundedBuffer.<String>builder(HELD_BUFFER, config.get(SessionConfig.MAX_HELD_SESSIONS))
              .policy(BoundedBuffer.Policy.DROP_TAIL)
              .metrics(metrics)
              .build();
      this.resync =
          Executors.newSingleThreadScheduledExecutor(
              DaemonThreads.named("brownout-session-resync"));
      resync.scheduleWithFixedDelay(this::resyncPending, 1, 1, TimeUnit.SECONDS);
    } else {
      this.writeBack = null;
      this.resync = null;
    }
  }

  /** The name of the buffer of held sessions in {@code brownout.buffer.*} meters. */
  static final String HELD_BUFFER = "session-held";

  /**
   * Starts a builder for sessions kept in {@code store}. Servers that share sessions share the
   * store (Redis or DynamoDB); {@code InMemoryStateStore.create()} keeps them in this process only,
   * for a single server or a test.
   */
  public static Builder builder(StateStore store) {
    return new Builder(store);
  }

  /** The filter to install first, on every path. */
  @SuppressWarnings("exports")
  public synchronized SessionFilter filter() {
    // Made on first use, so code that only uses the repository needs no servlet API.
    if (filter == null) {
      filter = new SessionFilter(this);
    }
    return filter;
  }

  /** Looks sessions up and invalidates them. */
  public SessionRepository repository() {
    return repository;
  }

  /**
   * Binds a session to a principal (the signed-in user), for {@link
   * SessionRepository#sessionsOf(String)}, {@link SessionRepository#invalidateAll(String)} and the
   * per-principal cap. Sessions of requests with a {@code getUserPrincipal()} are bound to it
   * automatically; call this where sign-in is the application's own. Saved with the session.
   *
   * @throws IllegalArgumentException if the session is not one of Brownout's, or the principal is
   *     empty or longer than 1024 UTF-8 bytes
   */
  @SuppressWarnings("exports")
  public static void bindPrincipal(HttpSession session, String principal) {
    Objects.requireNonNull(principal, "principal");
    if (!(session instanceof BrownoutHttpSession ours)) {
      throw new IllegalArgumentException(
          "not a Brownout session: is the session filter installed before this code runs?");
    }
    int bytes = principal.getBytes(StandardCharsets.UTF_8).length;
    if (bytes == 0 || bytes > StateStore.MAX_KEY_BYTES) {
      throw new IllegalArgumentException(
          "a principal must be 1 to " + StateStore.MAX_KEY_BYTES + " UTF-8 bytes, not " + bytes);
    }
    SessionData data = ours.data();
    synchronized (data) {
      if (!principal.equals(data.principal)) {
        data.principal = principal;
        data.indexExpiry = null;
        data.metaChangedHere();
      }
    }
  }

  /** Sessions whose changes this server holds until the store answers again. */
  public int pendingCount() {
    return sizeOf(pending);
  }

  private static int sizeOf(Map<String, Held> pending) {
    synchronized (pending) {
      return pending.size();
    }
  }

  /**
   * Writes held changes back (serve-cached), in the order their sessions were first held, until the
   * store fails again; also done every second in the background.
   *
   * @return how many sessions' changes are still held
   */
  public int resyncPending() {
    BoundedBuffer<String> order = writeBack;
    if (order == null) {
      return pendingCount();
    }
    // One write-back at a time: each takes the keys it has written off the head of the order.
    synchronized (writingBack) {
      for (int round = order.size(); round > 0; round--) {
        String key;
        Held held;
        synchronized (pending) {
          Optional<String> head = order.peek();
          if (head.isEmpty()) {
            break;
          }
          key = head.get();
          held = pending.get(key);
          if (held == null) {
            // A request wrote it meanwhile.
            dequeue(order, key);
            continue;
          }
        }
        if (!writeBack(key, held)) {
          break;
        }
        synchronized (pending) {
          if (!pending.containsKey(key)) {
            dequeue(order, key);
          }
          // Otherwise a request added to it meanwhile: it stays first, and is written again next.
        }
      }
    }
    return pendingCount();
  }

  /** Takes {@code key} off the head of the order, unless a compaction took it off already. */
  private void dequeue(BoundedBuffer<String> order, String key) {
    if (order.peek().filter(key::equals).isPresent()) {
      order.poll();
      queued.remove(key);
    }
  }

  /**
   * Drops the keys of sessions no longer held (a request wrote them meanwhile) from the order,
   * keeping the others' order, so they do not take room. Under {@code pending}'s lock.
   */
  private void compact(BoundedBuffer<String> order) {
    List<String> keys = new ArrayList<>(order.size());
    order.drainTo(keys, Integer.MAX_VALUE);
    queued.clear();
    for (String key : keys) {
      if (pending.containsKey(key)) {
        order.offer(key);
        queued.add(key);
      }
    }
  }

  /** Writes one held change back; false if the store is still unreachable. */
  private boolean writeBack(String key, Held held) {
    SessionData data = held.data().copy();
    data.heldSequence = held.sequence();
    try {
      SaveOutcome outcome = repository.save(data);
      if (outcome == SaveOutcome.CONFLICT) {
        release(key, data.heldSequence);
        log.warn(
            "A held session change could not be written back ({}) and is dropped",
            data.conflict == null ? "conflict" : data.conflict.kind());
      } else {
        saved(data);
        log.info("Held session change written now that the store answers");
      }
    } catch (RecordTooLargeException e) {
      // Never written, whatever happens: dropped, and the others behind it go on.
      release(key, data.heldSequence);
      event("held-too-large");
      log.warn("A held session change is dropped: {}", e.getMessage());
    } catch (StateUnavailableException e) {
      log.debug("Session store still unreachable; {} session changes held", pendingCount());
      return false;
    } catch (RuntimeException e) {
      release(key, data.heldSequence);
      log.warn("A held session change could not be written and is dropped", e);
    }
    return true;
  }

  /** Drops a held change once written, unless a later request added to it meanwhile. */
  private void release(String key, long sequence) {
    synchronized (pending) {
      Held held = pending.get(key);
      if (held != null && held.sequence() == sequence) {
        pending.remove(key);
      }
    }
  }

  @Override
  public void close() {
    if (resync != null) {
      resync.shutdownNow();
    }
    if (nearCache != null) {
      // Closes the cache's watch; Unclosed keeps the caller's store open.
      nearCache.close();
    }
  }

  // --- for the filter

  SessionListeners listeners() {
    return listeners;
  }

  @Nullable SessionLocks locks() {
    return locks;
  }

  SessionConfig.LockTimeoutAction lockTimeoutAction() {
    return lockTimeoutAction;
  }

  StoreDownPolicy storeDownPolicy() {
    return storeDown;
  }

  Duration retryAfter() {
    return retryAfter;
  }

  Duration maxInactive() {
    return maxInactive;
  }

  Duration absoluteTimeout() {
    return absoluteTimeout;
  }

  String cookieName() {
    return cookieName;
  }

  String sameSite() {
    return sameSite;
  }

  @Nullable String headerName() {
    return headerName;
  }

  /** A change held for a session, and how often it was added to (so a write-back knows). */
  private record Held(SessionData data, long sequence) {}

  /** What this server holds for a session id, if anything. */
  enum HeldState {
    NONE,
    HELD,
    /** Held under another secret: the id was changed while the store was down. */
    OTHER_ID
  }

  HeldState heldState(String id) {
    synchronized (pending) {
      Held held = pending.get(SessionIds.key(id));
      if (held == null) {
        return HeldState.NONE;
      }
      return sameSecret(held.data().secret, SessionIds.secret(id))
          ? HeldState.HELD
          : HeldState.OTHER_ID;
    }
  }

  /** A copy of the change held for {@code id}, which must be {@link HeldState#HELD}. */
  @Nullable SessionData pending(String id) {
    synchronized (pending) {
      Held held = pending.get(SessionIds.key(id));
      if (held == null || !sameSecret(held.data().secret, SessionIds.secret(id))) {
        return null;
      }
      SessionData copy = held.data().copy();
      copy.heldSequence = held.sequence();
      return copy;
    }
  }

  private static boolean sameSecret(@Nullable String a, @Nullable String b) {
    if (a == null || b == null) {
      return a == null && b == null;
    }
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
  }

  /** What became of a request's changes that the store could not take (serve-cached). */
  enum Hold {
    /** Held, to be written back when the store answers: the request may be answered 200. */
    HELD,
    /** Not held: the session's id changed since this request loaded it; a refused save. */
    OTHER_ID,
    /**
     * Not held: this server holds as many sessions' changes as it may ({@code
     * brownout.session.max-held-sessions}); the request fails closed (503), so nothing acknowledged
     * is lost.
     */
    FULL
  }

  /**
   * Holds a request's changes until the store answers: those of the sessions it retired (an id
   * changed) and its own; all of them or, when holding them would need more room for sessions than
   * is left, none ({@link Hold#FULL}). A session already held needs no more room: its changes are
   * added to what is held.
   */
  Hold defer(List<SessionData> retired, SessionData data) {
    BoundedBuffer<String> order = writeBack;
    if (order == null) {
      throw new IllegalStateException("changes are held under the serve-cached policy only");
    }
    synchronized (pending) {
      Set<String> fresh = unqueued(retired, data);
      if (order.capacity() - order.size() < fresh.size()) {
        compact(order);
        fresh = unqueued(retired, data);
      }
      if (order.capacity() - order.size() < fresh.size()) {
        if (order.size() >= order.capacity()) {
          // Refused, the buffer being full: counted as dropped in its meter.
          order.offer(data.key);
        }
        return Hold.FULL;
      }
      for (String key : fresh) {
        order.offer(key);
        queued.add(key);
      }
      for (SessionData old : retired) {
        hold(old);
      }
      return hold(data) ? Hold.HELD : Hold.OTHER_ID;
    }
  }

  /** The keys of these sessions that are not in the write-back order yet. */
  private Set<String> unqueued(List<SessionData> retired, SessionData data) {
    Set<String> fresh = new LinkedHashSet<>();
    for (SessionData old : retired) {
      if (!queued.contains(old.key)) {
        fresh.add(old.key);
      }
    }
    if (!queued.contains(data.key)) {
      fresh.add(data.key);
    }
    return fresh;
  }

  /**
   * Holds a change until the store answers: added to what is held for the session already (each
   * request's own changes, so requests that ran at once all keep theirs), or held anew. False if
   * the change cannot be held: the session's id changed since this request loaded it. The caller
   * holds {@code pending}'s lock and has queued the key.
   */
  private boolean hold(SessionData data) {
    Held held = pending.get(data.key);
    if (held == null) {
      SessionData copy = data.copy();
      pending.put(data.key, new Held(copy, ++heldSequence));
      return true;
    }
    if (!sameSecret(held.data().secret, data.loadedSecret)) {
      // Taken from the session under an id it has changed since (another sign-in got in
      // first): not added to what is held, and answered as a refused save.
      return false;
    }
    String secretBefore = held.data().secret;
    held.data().mergeFrom(data);
    long sequence = ++heldSequence;
    if (!Objects.equals(secretBefore, held.data().secret)) {
      held.data().secretSequence = sequence;
    }
    pending.put(data.key, new Held(held.data(), sequence));
    return true;
  }

  /**
   * A request's save went through: what it started from, if held, is written. If other requests
   * added to the held change meanwhile, it stays held, on top of what was just written (its version
   * and secret), so writing it back later is not taken for a conflict with this very save.
   */
  void saved(SessionData data) {
    if (data.heldSequence < 0) {
      return;
    }
    synchronized (pending) {
      Held held = pending.get(data.key);
      if (held == null) {
        return;
      }
      if (held.sequence() == data.heldSequence) {
        pending.remove(data.key);
      } else {
        held.data().rebaseOn(data);
      }
    }
  }

  SessionConfig.CookieSecure cookieSecure() {
    return cookieSecure;
  }

  int conflictStatus() {
    return conflictStatus;
  }

  void storeError(String action, String consequence, StateException error) {
    outage.failed(consequence, error);
    metrics
        .counter(
            SessionMetrics.STORE_ERRORS,
            storeDown.name().toLowerCase(Locale.ROOT).replace('_', '-'),
            action)
        .increment();
  }

  /** A store call of a request worked: ends the outage in the log, if there was one. */
  void storeAnswered() {
    outage.recovered();
  }

  void event(String event) {
    metrics.counter(SessionMetrics.EVENTS, event).increment();
  }

  /** The caller's store, which closing the near cache must leave open. */
  private static final class Unclosed extends ForwardingStateStore {
    Unclosed(StateStore store) {
      super(store);
    }

    @Override
    public void close() {}
  }

  /** Builds {@link Sessions}. Not thread-safe. */
  public static final class Builder {
    private final StateStore store;
    private final Settings settings = Settings.of(SessionConfig.keys());
    private SessionCodec codec = JsonSessionCodec.standard();
    private BrownoutClock clock = BrownoutClock.system();
    private BrownoutMetrics metrics = BrownoutMetrics.inMemory();
    private final List<EventListener> listeners = new ArrayList<>();
    private final List<SessionConflictListener> conflictListeners = new ArrayList<>();

    private Builder(StateStore store) {
      this.store =
          Objects.requireNonNull(
              store,
              "Sessions.builder(store) needs the store sessions are kept in: the shared Redis or"
                  + " DynamoDB store, or InMemoryStateStore.create() for a single server");
    }

    /** Idle time before a session expires ({@code brownout.session.max-inactive}); 30 min. */
    public Builder maxInactive(Duration idle) {
      settings.set(SessionConfig.MAX_INACTIVE, idle);
      return this;
    }

    /** Lifetime however active; zero for none ({@code brownout.session.absolute-timeout}). */
    public Builder absoluteTimeout(Duration lifetime) {
      settings.set(SessionConfig.ABSOLUTE_TIMEOUT, lifetime);
      return this;
    }

    /** Share of max-inactive between expiry refreshes ({@code …session.touch-threshold}). */
    public Builder touchThreshold(double fraction) {
      settings.set(SessionConfig.TOUCH_THRESHOLD, fraction);
      return this;
    }

    /** How concurrent changes to one session meet ({@code brownout.session.concurrency}). */
    public Builder concurrency(ConcurrencyMode mode) {
      settings.set(SessionConfig.CONCURRENCY, mode);
      return this;
    }

    /** In lock mode, the longest wait for a lock ({@code brownout.session.lock.wait}). */
    public Builder lockWait(Duration wait) {
      settings.set(SessionConfig.LOCK_WAIT, wait);
      return this;
    }

    /** In lock mode, how long a lock outlives its holder ({@code brownout.session.lock.lease}). */
    public Builder lockLease(Duration lease) {
      settings.set(SessionConfig.LOCK_LEASE, lease);
      return this;
    }

    /** In lock mode, what a request that did not get the lock does ({@code …lock.on-timeout}). */
    public Builder lockOnTimeout(SessionConfig.LockTimeoutAction action) {
      settings.set(SessionConfig.LOCK_ON_TIMEOUT, action);
      return this;
    }

    /** What a request does while the store is down ({@code brownout.session.store-down}). */
    public Builder storeDown(StoreDownPolicy policy) {
      settings.set(SessionConfig.STORE_DOWN, policy);
      return this;
    }

    /**
     * Under serve-cached, the most sessions whose changes one server holds while the store is down
     * ({@code brownout.session.max-held-sessions}); a request that would hold one more fails closed
     * (503). Default 10 000.
     */
    public Builder maxHeldSessions(int sessions) {
      settings.set(SessionConfig.MAX_HELD_SESSIONS, sessions);
      return this;
    }

    /** The {@code Retry-After} of the store-down 503 ({@code brownout.session.retry-after}). */
    public Builder retryAfter(Duration wait) {
      settings.set(SessionConfig.RETRY_AFTER, wait);
      return this;
    }

    /** Sessions kept on this server; 0 for none ({@code brownout.session.near-cache.size}). */
    public Builder nearCacheSize(int sessions) {
      settings.set(SessionConfig.NEAR_CACHE_SIZE, sessions);
      return this;
    }

    /** What an undecodable attribute does ({@code brownout.session.codec-failure}). */
    public Builder codecFailure(CodecFailurePolicy policy) {
      settings.set(SessionConfig.CODEC_FAILURE, policy);
      return this;
    }

    /** Also save attributes changed in place ({@code …session.detect-in-place-changes}). */
    public Builder detectInPlaceChanges(boolean detect) {
      settings.set(SessionConfig.DETECT_IN_PLACE_CHANGES, detect);
      return this;
    }

    /** The cookie's name ({@code brownout.session.cookie.name}); default {@code SESSION}. */
    public Builder cookieName(String name) {
      settings.set(SessionConfig.COOKIE_NAME, name);
      return this;
    }

    /** The cookie's SameSite: Lax, Strict or None ({@code …session.cookie.same-site}). */
    public Builder cookieSameSite(String sameSite) {
      settings.set(SessionConfig.COOKIE_SAME_SITE, sameSite);
      return this;
    }

    /** Take the id from this header instead of a cookie ({@code brownout.session.header}). */
    /**
     * When the cookie is marked Secure ({@code brownout.session.cookie.secure}): {@code ALWAYS}
     * behind a proxy that ends TLS. Default {@code AUTO}.
     */
    public Builder cookieSecure(SessionConfig.CookieSecure secure) {
      settings.set(SessionConfig.COOKIE_SECURE, secure);
      return this;
    }

    /**
     * The status of a request whose session changes could not be saved as it saw the session
     * ({@code brownout.session.conflict-status}). Default 409.
     */
    public Builder conflictStatus(int status) {
      settings.set(SessionConfig.CONFLICT_STATUS, status);
      return this;
    }

    /**
     * Checks near-cache hits against the store with one small read ({@code
     * brownout.session.near-cache.validate}), for deployments without sticky sessions.
     */
    public Builder nearCacheValidate(boolean validate) {
      settings.set(SessionConfig.NEAR_CACHE_VALIDATE, validate);
      return this;
    }

    public Builder header(String name) {
      settings.set(SessionConfig.HEADER_NAME, name);
      return this;
    }

    /**
     * Live sessions one principal may have; 0 for no limit ({@code …max-sessions-per-principal}).
     */
    public Builder maxSessionsPerPrincipal(int sessions) {
      settings.set(SessionConfig.MAX_SESSIONS_PER_PRINCIPAL, sessions);
      return this;
    }

    /** Reads {@code brownout.session.*} from {@code config}; values given to setters win. */
    public Builder config(BrownoutConfig config) {
      settings.config(config);
      return this;
    }

    /** The attribute codec; default {@link JsonSessionCodec#standard()}. */
    public Builder codec(SessionCodec codec) {
      this.codec = Objects.requireNonNull(codec, "codec");
      return this;
    }

    /** The clock. */
    public Builder clock(BrownoutClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Where meters go. Default: an in-memory registry. */
    public Builder metrics(BrownoutMetrics metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      return this;
    }

    /**
     * Adds an {@code HttpSessionListener}, {@code HttpSessionAttributeListener} or {@code
     * HttpSessionIdListener}.
     *
     * @throws IllegalArgumentException if it is none of those
     */
    public Builder listener(EventListener listener) {
      Objects.requireNonNull(listener, "listener");
      new SessionListeners(List.of(listener));
      listeners.add(listener);
      return this;
    }

    /** Adds a listener for optimistic-mode conflicts. */
    public Builder conflictListener(SessionConflictListener listener) {
      conflictListeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Builds; calls nothing on the store.
     *
     * @throws IllegalArgumentException if the settings are inconsistent, naming them
     */
    public Sessions build() {
      return new Sessions(this);
    }
  }
}
