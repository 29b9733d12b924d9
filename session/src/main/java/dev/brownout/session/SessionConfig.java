package dev.brownout.session;

import dev.brownout.core.config.ConfigKey;
import dev.brownout.core.config.ValueType;
import java.time.Duration;
import java.util.List;

/** The configuration keys of the session module; every one has a working default. */
public final class SessionConfig {
  private SessionConfig() {}

  /** What a request does when it cannot take its session's lock in time. */
  public enum LockTimeoutAction {
    /** Go on without the lock (counted). */
    PROCEED,
    /** Answer {@code 409 Conflict} with {@code Retry-After} and problem+json. */
    REJECT
  }

  /** Idle time before a session expires. */
  public static final ConfigKey<Duration> MAX_INACTIVE =
      ConfigKey.of(
              "brownout.session.max-inactive",
              ValueType.duration(Duration.ofSeconds(1), Duration.ofDays(365)))
          .defaultValue(Duration.ofMinutes(30))
          .doc(
              "How long a session lives without a request before it expires, by the store's own"
                  + " TTL. HttpSession.setMaxInactiveInterval changes it per session.")
          .build();

  /** Lifetime of a session however active. */
  public static final ConfigKey<Duration> ABSOLUTE_TIMEOUT =
      ConfigKey.of(
              "brownout.session.absolute-timeout",
              ValueType.duration(Duration.ZERO, Duration.ofDays(365)))
          .defaultValue(Duration.ZERO)
          .doc(
              "How long a session may live from its creation however active it is; 0 for no"
                  + " limit. Sign-in flows that must re-authenticate daily set 24h.")
          .build();

  /** When an unchanged request refreshes the expiry. */
  public static final ConfigKey<Double> TOUCH_THRESHOLD =
      ConfigKey.of("brownout.session.touch-threshold", ValueType.decimal(0.0, 0.5))
          .defaultValue(0.1)
          .doc(
              "The last-access time and the expiry are written only when this fraction of"
                  + " max-inactive has passed since they were last written (0.1 of 30 minutes: at"
                  + " most once per 3 minutes per user): a request that changes nothing writes"
                  + " nothing until then, and one that changes attributes writes only those. A"
                  + " session may therefore expire up to this fraction early. 0 refreshes them on"
                  + " every request.")
          .build();

  /** Conflict handling. */
  public static final ConfigKey<ConcurrencyMode> CONCURRENCY =
      ConfigKey.of("brownout.session.concurrency", ValueType.enumeration(ConcurrencyMode.class))
          .defaultValue(ConcurrencyMode.LAST_WRITER_WINS)
          .doc(
              "What happens when concurrent requests change one session: last-writer-wins per"
                  + " attribute, optimistic (version check, conflicts reported) or lock (lease"
                  + " lock per session).")
          .build();

  /** The longest wait for a session lock. */
  public static final ConfigKey<Duration> LOCK_WAIT =
      ConfigKey.of(
              "brownout.session.lock.wait",
              ValueType.duration(Duration.ZERO, Duration.ofMinutes(1)))
          .defaultValue(Duration.ofSeconds(2))
          .doc("In lock mode, how long a request waits for its session's lock.")
          .build();

  /** How long a lock lives if it is never released. */
  public static final ConfigKey<Duration> LOCK_LEASE =
      ConfigKey.of(
              "brownout.session.lock.lease",
              ValueType.duration(Duration.ofMillis(100), Duration.ofMinutes(10)))
          .defaultValue(Duration.ofSeconds(30))
          .doc(
              "In lock mode, how long a lock outlives a server that died holding it. Longer than"
                  + " the slowest request.")
          .build();

  /** What to do when the lock wait runs out. */
  public static final ConfigKey<LockTimeoutAction> LOCK_ON_TIMEOUT =
      ConfigKey.of(
              "brownout.session.lock.on-timeout", ValueType.enumeration(LockTimeoutAction.class))
          .defaultValue(LockTimeoutAction.REJECT)
          .doc(
              "In lock mode, what a request that did not get the lock in time does: reject (409"
                  + " with Retry-After) or proceed without it.")
          .build();

  /** Store-down behaviour. */
  public static final ConfigKey<StoreDownPolicy> STORE_DOWN =
      ConfigKey.of("brownout.session.store-down", ValueType.enumeration(StoreDownPolicy.class))
          .defaultValue(StoreDownPolicy.FAIL_CLOSED)
          .doc(
              "What a request that needs its session does while the store is unreachable:"
                  + " fail-closed (503 problem+json), serve-cached (near-cache hits keep working,"
                  + " changes held on the server and written back later) or new-session (reads go"
                  + " on with an empty session, changes fail closed).")
          .build();

  /** The most sessions whose changes are held while the store is down. */
  public static final ConfigKey<Integer> MAX_HELD_SESSIONS =
      ConfigKey.of("brownout.session.max-held-sessions", ValueType.integer(1, 10_000_000))
          .defaultValue(10_000)
          .doc(
              "Under serve-cached, the most sessions whose changes one server holds while the"
                  + " store is down, so an outage cannot fill its heap. A request that would hold"
                  + " one more session's changes fails closed instead (503 with Retry-After), so"
                  + " no change is answered 200 and then lost; requests of sessions already held"
                  + " keep working. The fill and the refusals are the brownout.buffer.* meters of"
                  + " buffer session-held.")
          .build();

  /** Retry-After of a 503. */
  public static final ConfigKey<Duration> RETRY_AFTER =
      ConfigKey.of(
              "brownout.session.retry-after",
              ValueType.duration(Duration.ofSeconds(1), Duration.ofHours(1)))
          .defaultValue(Duration.ofSeconds(5))
          .doc("The Retry-After of the 503 a request gets when its session's store is down.")
          .build();

  /** Near-cache size. */
  public static final ConfigKey<Integer> NEAR_CACHE_SIZE =
      ConfigKey.of("brownout.session.near-cache.size", ValueType.integer(0, 10_000_000))
          .defaultValue(0)
          .doc(
              "Sessions kept on each server so a load that hits costs no round trip; 0 turns it"
                  + " off. Kept fresh by the store's change notifications (Redis pub/sub): each"
                  + " save is announced to every other server, a moment later, and each server"
                  + " does a little work per save anywhere in the fleet. Turn it on with Redis and"
                  + " sticky sessions (a request soon after a save on another server can be served"
                  + " the session as it was before), and for serve-cached.")
          .build();

  /** Whether near-cache hits are checked against the store. */
  public static final ConfigKey<Boolean> NEAR_CACHE_VALIDATE =
      ConfigKey.of("brownout.session.near-cache.validate", ValueType.bool())
          .defaultValue(false)
          .doc(
              "Check every near-cache hit against the store by reading one small field and"
                  + " comparing versions (the whole session is read only when it changed"
                  + " elsewhere). For deployments without sticky sessions: a load is then never"
                  + " served a version older than the store's, for a small read instead of none.")
          .build();

  /** The status of a refused save. */
  public static final ConfigKey<Integer> CONFLICT_STATUS =
      ConfigKey.of("brownout.session.conflict-status", ValueType.integer(200, 599))
          .defaultValue(409)
          .doc(
              "The status a request gets when its session changes could not be saved as it saw"
                  + " the session (another request changed the same attributes first in optimistic"
                  + " mode, the session was invalidated or its id changed meanwhile): a"
                  + " problem+json of type https://brownout.dev/problems/session-conflict, and"
                  + " nothing of the request's session changes is saved. Below 400 the"
                  + " application's response is left as it is (the conflict is still counted and"
                  + " reported to conflict listeners).")
          .build();

  /** Whether the cookie is marked Secure. */
  public static final ConfigKey<CookieSecure> COOKIE_SECURE =
      ConfigKey.of("brownout.session.cookie.secure", ValueType.enumeration(CookieSecure.class))
          .defaultValue(CookieSecure.AUTO)
          .doc(
              "When the session cookie is marked Secure: auto (when the request came over HTTPS,"
                  + " or SameSite is None), always (behind a proxy or load balancer that ends TLS,"
                  + " where the application sees plain HTTP), or never (local development only).")
          .build();

  /** When the session cookie is marked {@code Secure}. */
  public enum CookieSecure {
    /** When the request came over HTTPS, or SameSite is None. */
    AUTO,
    /** Always: behind a proxy that ends TLS. */
    ALWAYS,
    /** Never: plain-HTTP development only; not with SameSite None. */
    NEVER
  }

  /** Attribute decode failures. */
  public static final ConfigKey<CodecFailurePolicy> CODEC_FAILURE =
      ConfigKey.of(
              "brownout.session.codec-failure", ValueType.enumeration(CodecFailurePolicy.class))
          .defaultValue(CodecFailurePolicy.DROP_ATTRIBUTE)
          .doc(
              "What happens when a stored attribute cannot be decoded (its class changed in a"
                  + " deploy): drop-attribute, invalidate the session, or fail the getAttribute.")
          .build();

  /** Saving in-place changes. */
  public static final ConfigKey<Boolean> DETECT_IN_PLACE_CHANGES =
      ConfigKey.of("brownout.session.detect-in-place-changes", ValueType.bool())
          .defaultValue(false)
          .doc(
              "Also save attributes that were read and then changed in place, without"
                  + " setAttribute: each read attribute is encoded again at the end of the request"
                  + " and written if its bytes differ. Costs an encode per read attribute.")
          .build();

  /** The cookie's name. */
  public static final ConfigKey<String> COOKIE_NAME =
      ConfigKey.of("brownout.session.cookie.name", ValueType.string())
          .defaultValue("SESSION")
          .doc("The session cookie's name.")
          .build();

  /** The cookie's SameSite. */
  public static final ConfigKey<String> COOKIE_SAME_SITE =
      ConfigKey.of("brownout.session.cookie.same-site", ValueType.string())
          .defaultValue("Lax")
          .doc("The session cookie's SameSite attribute: Lax, Strict or None (None needs HTTPS).")
          .build();

  /** Header-based ids. */
  public static final ConfigKey<String> HEADER_NAME =
      ConfigKey.of("brownout.session.header", ValueType.string())
          .doc(
              "For APIs: take the session id from this request header and send a new one in the"
                  + " same response header, instead of a cookie (X-Session-Token, say). Unset uses"
                  + " the cookie.")
          .build();

  /** A cap on sessions per principal. */
  public static final ConfigKey<Integer> MAX_SESSIONS_PER_PRINCIPAL =
      ConfigKey.of("brownout.session.max-sessions-per-principal", ValueType.integer(0, 1_000_000))
          .defaultValue(0)
          .doc(
              "The most live sessions one principal may have; a new one beyond it invalidates"
                  + " the oldest. Enforced atomically across servers. 0 for no limit.")
          .build();

  /** Every key. */
  public static List<ConfigKey<?>> keys() {
    return List.of(
        MAX_INACTIVE,
        ABSOLUTE_TIMEOUT,
        TOUCH_THRESHOLD,
        CONCURRENCY,
        LOCK_WAIT,
        LOCK_LEASE,
        LOCK_ON_TIMEOUT,
        STORE_DOWN,
        MAX_HELD_SESSIONS,
        RETRY_AFTER,
        NEAR_CACHE_SIZE,
        NEAR_CACHE_VALIDATE,
        CONFLICT_STATUS,
        CODEC_FAILURE,
        DETECT_IN_PLACE_CHANGES,
        COOKIE_NAME,
        COOKIE_SAME_SITE,
        COOKIE_SECURE,
        HEADER_NAME,
        MAX_SESSIONS_PER_PRINCIPAL);
  }
}
