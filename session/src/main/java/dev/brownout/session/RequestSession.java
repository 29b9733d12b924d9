package dev.brownout.session;

import dev.brownout.state.RecordTooLargeException;
import dev.brownout.state.StateException;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request's session: resolved from the cookie or header, loaded on the first {@code
 * getSession}, saved before the response commits and again at the end of the request if anything
 * changed after that. The session cookie is set as soon as the id changes and replaced if it
 * changes again, so a sign-in (a new session, then a new id) sends one {@code Set-Cookie}; a
 * response whose save is refused is replaced whole, cookie included, so the client keeps the id
 * that still works.
 */
final class RequestSession {
  private static final Logger log = LoggerFactory.getLogger(RequestSession.class);

  private final Sessions sessions;
  private final HttpServletRequest request;
  private final HttpServletResponse response;
  private @Nullable List<String> requestedIds;
  private SessionLocks.@Nullable Lock lock;
  private boolean loaded;
  private @Nullable String requestedValidId;
  private @Nullable BrownoutHttpSession view;
  // Sessions this request invalidated and then replaced with a new one: deleted on flush.
  private final List<SessionData> retired = new ArrayList<>();
  // The id the client sent, if it named the session; and the Set-Cookie this response carries.
  private @Nullable String clientId;
  private @Nullable String sentCookie;
  private boolean warnedCommitted;
  private @Nullable Flush refused;
  // The id the request carried, if it named this session until a change of id a moment ago.
  private @Nullable String replacedId;
  private @Nullable SessionConflict replacedConflict;

  /** What flushing the session came to. */
  enum Flush {
    /** Saved, or nothing to save. */
    SAVED,
    /** The store is down and the policy fails closed: 503. */
    STORE_DOWN,
    /** The save was refused ({@link SaveOutcome#CONFLICT}): the conflict status. */
    CONFLICT,
    /** The session would exceed the store's record limit: 413, nothing saved. */
    TOO_LARGE
  }

  RequestSession(Sessions sessions, HttpServletRequest request, HttpServletResponse response) {
    this.sessions = sessions;
    this.request = request;
    this.response = response;
  }

  SessionRepository repository() {
    return sessions.repository();
  }

  SessionListeners listeners() {
    return sessions.listeners();
  }

  ServletContext servletContext() {
    return request.getServletContext();
  }

  /**
   * The well-formed ids the request carries, in order; malformed ones are ignored. Parsed on first
   * use, so a request that never asks for its session pays nothing.
   */
  private List<String> requestedIds() {
    if (requestedIds == null) {
      requestedIds = resolveIds();
    }
    return requestedIds;
  }

  private List<String> resolveIds() {
    List<String> ids = new ArrayList<>();
    if (sessions.headerName() != null) {
      String value = request.getHeader(sessions.headerName());
      if (value != null && SessionIds.wellFormed(value.trim())) {
        ids.add(value.trim());
      }
      return ids;
    }
    Enumeration<String> headers = request.getHeaders("Cookie");
    while (headers != null && headers.hasMoreElements()) {
      String header = headers.nextElement();
      if (header == null) {
        continue;
      }
      for (String pair : header.split(";")) {
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          continue;
        }
        String name = pair.substring(0, eq).trim();
        String value = pair.substring(eq + 1).trim();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
          value = value.substring(1, value.length() - 1);
        }
        if (name.equals(sessions.cookieName()) && SessionIds.wellFormed(value) && ids.size() < 3) {
          ids.add(value);
        }
      }
    }
    return ids;
  }

  /** The first id the request carried, valid or not; null if none. */
  @Nullable String requestedId() {
    return requestedIds().isEmpty() ? null : requestedIds().get(0);
  }

  boolean requestedIdValid() {
    load();
    return requestedValidId != null && view != null && !view.data().invalidated;
  }

  boolean requestedIdFromCookie() {
    return sessions.headerName() == null && !requestedIds().isEmpty();
  }

  /**
   * Lock mode: takes the lock of the requested session before the application runs. The lock is the
   * session's key's, so it holds across a change of id.
   *
   * @return false if the request must be refused (the wait ran out and the policy says reject)
   */
  boolean lockIfNeeded() {
    if (sessions.locks() == null || requestedIds().isEmpty()) {
      return true;
    }
    try {
      Optional<SessionLocks.Lock> taken =
          sessions.locks().acquire(SessionIds.key(requestedIds().get(0)));
      if (taken.isPresent()) {
        lock = taken.get();
        return true;
      }
      return sessions.lockTimeoutAction() == SessionConfig.LockTimeoutAction.PROCEED;
    } catch (StateException e) {
      // The store is down: the load will meet it too and apply the store-down policy.
      return true;
    }
  }

  void unlock() {
    if (lock != null) {
      sessions.locks().release(lock);
      lock = null;
    }
  }

  private void load() {
    if (loaded) {
      return;
    }
    loaded = true;
    for (String id : requestedIds()) {
      Optional<SessionData> data;
      Sessions.HeldState held = sessions.heldState(id);
      if (held == Sessions.HeldState.OTHER_ID) {
        // Its id was changed while the store was down: the old id names nothing any more, and
        // a new session must not replace the held one in the browser.
        if (replacedId == null) {
          replacedId = id;
        }
        continue;
      }
      SessionData pending = held == Sessions.HeldState.HELD ? sessions.pending(id) : null;
      if (pending != null) {
        data = Optional.of(pending);
      } else {
        try {
          SessionLoader.Loaded loaded = repository().loadForRequest(id);
          sessions.storeAnswered();
          data = Optional.ofNullable(loaded.data());
          if (loaded.replaced() && replacedId == null) {
            replacedId = id;
          }
        } catch (StateException e) {
          StoreDownPolicy policy = sessions.storeDownPolicy();
          if (policy == StoreDownPolicy.NEW_SESSION) {
            sessions.storeError("new-session", "requests go on with a new session", e);
            return;
          }
          sessions.storeError("rejected", "requests that need their session get 503", e);
          throw new SessionStoreUnavailableException(
              "the session store cannot be reached (" + e.getMessage() + ")", e);
        }
      }
      if (data.isPresent()) {
        requestedValidId = id;
        clientId = id;
        view = new BrownoutHttpSession(this, data.get());
        return;
      }
    }
  }

  /** {@code HttpServletRequest.getSession(create)}. */
  @Nullable HttpSession getSession(boolean create) {
    if (view != null && !view.data().invalidated) {
      return view;
    }
    if (view == null) {
      load();
      if (view != null && !view.data().invalidated) {
        return view;
      }
    }
    if (!create) {
      return null;
    }
    if (response.isCommitted()) {
      throw new IllegalStateException(
          "Cannot create a session after the response has been committed");
    }
    if (replacedId != null && view == null) {
      // Sent just before a sign-in's answer reached the client: a new session here would replace
      // the signed-in one in the browser. Refused instead (409); the client's next request carries
      // the new id.
      replacedConflict = repository().replacedIdRefused(replacedId);
      throw new SessionIdReplacedException();
    }
    Instant now = repository().clock().instant();
    SessionData data =
        SessionData.create(
            now,
            sessions.maxInactive(),
            sessions.absoluteTimeout().isZero() ? null : now.plus(sessions.absoluteTimeout()));
    if (view != null) {
      retired.add(view.data());
    }
    view = new BrownoutHttpSession(this, data);
    sendId();
    sessions.event("created");
    listeners().created(view);
    return view;
  }

  /** {@code HttpServletRequest.changeSessionId()}. */
  String changeSessionId() {
    HttpSession current = getSession(false);
    if (current == null) {
      throw new IllegalStateException("changeSessionId: the request has no session");
    }
    if (response.isCommitted()) {
      throw new IllegalStateException(
          "changeSessionId: the response has been committed, so the client cannot be told the"
              + " new id");
    }
    SessionData data = view.data();
    String oldId;
    String newId;
    synchronized (data) {
      oldId = data.id;
      newId = data.rotate();
    }
    sendId();
    listeners().idChanged(view, oldId);
    return newId;
  }

  void idReplaced(BrownoutHttpSession session, String oldId, String newId) {
    sendId();
    listeners().idChanged(session, oldId);
  }

  void invalidated(BrownoutHttpSession session) {
    sessions.event("invalidated");
    sendId();
  }

  /**
   * Tells the client the id it must use from now on: set as soon as it changes (so a response the
   * application commits by a way no filter sees still carries it), and replaced, not added to, if
   * it changes again, so the response has one session cookie. A session invalidated has its cookie
   * expired; one whose id the client already holds needs none.
   */
  private void sendId() {
    if (view == null) {
      return;
    }
    SessionData data = view.data();
    String id;
    boolean invalidated;
    synchronized (data) {
      id = data.id;
      invalidated = data.invalidated;
    }
    String wanted = invalidated ? null : id;
    if (Objects.equals(wanted, clientId) && sentCookie == null) {
      return;
    }
    if (sessions.headerName() != null) {
      if (!response.isCommitted()) {
        response.setHeader(sessions.headerName(), wanted == null ? "" : wanted);
      }
      return;
    }
    String header =
        Objects.equals(wanted, clientId)
            ? null
            : cookie(wanted == null ? "" : wanted, wanted == null);
    if (Objects.equals(header, sentCookie)) {
      return;
    }
    if (response.isCommitted()) {
      if (!warnedCommitted) {
        warnedCommitted = true;
        log.warn(
            "Session id changed after the response was committed; the client keeps the old one");
      }
      return;
    }
    List<String> cookies = new ArrayList<>(response.getHeaders("Set-Cookie"));
    if (sentCookie != null) {
      cookies.remove(sentCookie);
    }
    if (header != null) {
      cookies.add(header);
    }
    if (cookies.isEmpty()) {
      // Nothing left to send; the container keeps a header it cannot be told to drop.
      sentCookie = null;
      return;
    }
    response.setHeader("Set-Cookie", cookies.get(0));
    for (String other : cookies.subList(1, cookies.size())) {
      response.addHeader("Set-Cookie", other);
    }
    sentCookie = header;
  }

  /** Takes back the cookie this response set, where the container allows. */
  private void withdrawId() {
    if (sentCookie == null || response.isCommitted()) {
      return;
    }
    List<String> cookies = new ArrayList<>(response.getHeaders("Set-Cookie"));
    cookies.remove(sentCookie);
    sentCookie = null;
    // Null removes the header on Jetty; Tomcat keeps it, and the id then names nothing.
    response.setHeader("Set-Cookie", cookies.isEmpty() ? null : cookies.get(0));
    for (String other :
        cookies.size() > 1 ? cookies.subList(1, cookies.size()) : List.<String>of()) {
      response.addHeader("Set-Cookie", other);
    }
  }

  private String cookie(String value, boolean expire) {
    String path = request.getContextPath();
    StringBuilder cookie = new StringBuilder(sessions.cookieName()).append('=').append(value);
    cookie.append("; Path=").append(path == null || path.isEmpty() ? "/" : path + "/");
    if (expire) {
      cookie.append("; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
    }
    cookie.append("; HttpOnly");
    boolean secure =
        switch (sessions.cookieSecure()) {
          case ALWAYS -> true;
          case NEVER -> false;
          case AUTO -> request.isSecure() || sessions.sameSite().equals("None");
        };
    if (secure) {
      cookie.append("; Secure");
    }
    cookie.append("; SameSite=").append(sessions.sameSite());
    return cookie.toString();
  }

  /** The conflict of a refused save, for the answer's detail; null if none. */
  @Nullable SessionConflict conflict() {
    if (replacedConflict != null) {
      return replacedConflict;
    }
    return view == null ? null : view.data().conflict;
  }

  /** Saves the session, applying the store-down policy, and tells the client its id. */
  Flush flush() {
    if (refused != null) {
      return refused;
    }
    if (view == null) {
      return Flush.SAVED;
    }
    SessionData data = view.data();
    if (data.principal == null && request.getUserPrincipal() != null && !data.invalidated) {
      synchronized (data) {
        data.principal = request.getUserPrincipal().getName();
        data.metaChangedHere();
      }
    }
    try {
      for (SessionData old : retired) {
        repository().save(old);
      }
      SaveOutcome outcome =
          data.invalidated && data.isNew() ? SaveOutcome.UNCHANGED : repository().save(data);
      sessions.storeAnswered();
      if (outcome == SaveOutcome.CONFLICT) {
        refused = Flush.CONFLICT;
        return refused;
      }
      sessions.saved(data);
    } catch (RecordTooLargeException e) {
      // Not an outage: it would fail the same way every time, so it is neither held nor retried.
      sessions.event("too-large");
      log.warn("Session not saved: {}", e.getMessage());
      refused = Flush.TOO_LARGE;
      return refused;
    } catch (StateException e) {
      switch (sessions.storeDownPolicy()) {
        case SERVE_CACHED -> {
          List<SessionData> stored = new ArrayList<>();
          for (SessionData old : retired) {
            if (old.inStore) {
              stored.add(old);
            }
          }
          switch (sessions.defer(stored, data)) {
            case FULL -> {
              // Held changes are answered 200: one that cannot be held is not answered at all.
              sessions.storeError(
                  "rejected",
                  "this server holds as many sessions' changes as "
                      + SessionConfig.MAX_HELD_SESSIONS.name()
                      + " allows; requests that would hold more fail closed (503)",
                  e);
              refused = Flush.STORE_DOWN;
              return refused;
            }
            case OTHER_ID -> {
              refused = Flush.CONFLICT;
              return refused;
            }
            case HELD ->
                sessions.storeError(
                    "deferred", "each server keeps its changes and retries them", e);
          }
        }
        case NEW_SESSION -> {
          if (data.hasUserChanges()) {
            // Reads go on with a new session; a change that cannot be saved is not answered 200.
            sessions.storeError(
                "rejected", "requests that change their session fail closed (503)", e);
            refused = Flush.STORE_DOWN;
            return refused;
          }
          sessions.storeError("dropped", "new, empty sessions are not stored", e);
          // Nothing was stored under a new id: the client is not told one that names nothing.
          withdrawId();
          return Flush.SAVED;
        }
        default -> {
          sessions.storeError("rejected", "requests that change their session fail closed", e);
          refused = Flush.STORE_DOWN;
          return refused;
        }
      }
    }
    sendId();
    return Flush.SAVED;
  }
}
