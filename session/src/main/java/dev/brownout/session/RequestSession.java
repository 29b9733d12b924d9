package dev.brownout.session;

import dev.brownout.state.StateException;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request's session: resolved from the cookie or header, loaded on the first {@code
 * getSession}, saved before the response commits and again at the end of the request if anything
 * changed after that.
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
   * Lock mode: takes the lock of the requested session before the application runs.
   *
   * @return false if the request must be refused (the wait ran out and the policy says reject)
   */
  boolean lockIfNeeded() {
    if (sessions.locks() == null || requestedIds().isEmpty()) {
      return true;
    }
    try {
      Optional<SessionLocks.Lock> taken = sessions.locks().acquire(requestedIds().get(0));
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
      SessionData pending = sessions.pending(id);
      if (pending != null) {
        data = Optional.of(pending);
      } else {
        try {
          data = repository().load(id);
          sessions.storeAnswered();
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
    Instant now = repository().clock().instant();
    SessionData data =
        SessionData.create(
            now,
            sessions.maxInactive(),
            sessions.absoluteTimeout().isZero() ? null : now.plus(sessions.absoluteTimeout()));
    view = new BrownoutHttpSession(this, data);
    writeId(data.id);
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
    SessionData data = view.data();
    String oldId;
    String newId = SessionIds.generate();
    synchronized (data) {
      oldId = data.id;
      data.id = newId;
    }
    writeId(newId);
    listeners().idChanged(view, oldId);
    return newId;
  }

  void idReplaced(BrownoutHttpSession session, String oldId, String newId) {
    writeId(newId);
    listeners().idChanged(session, oldId);
  }

  void invalidated(BrownoutHttpSession session) {
    sessions.event("invalidated");
    if (!response.isCommitted()) {
      if (sessions.headerName() != null) {
        response.setHeader(sessions.headerName(), "");
      } else {
        response.addHeader("Set-Cookie", cookie("", true));
      }
    }
  }

  private void writeId(String id) {
    if (response.isCommitted()) {
      log.warn("Session id changed after the response was committed; the client keeps the old one");
      return;
    }
    if (sessions.headerName() != null) {
      response.setHeader(sessions.headerName(), id);
    } else {
      response.addHeader("Set-Cookie", cookie(id, false));
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
    if (request.isSecure() || sessions.sameSite().toLowerCase(Locale.ROOT).equals("none")) {
      cookie.append("; Secure");
    }
    cookie.append("; SameSite=").append(sessions.sameSite());
    return cookie.toString();
  }

  /**
   * Saves the session, applying the store-down policy.
   *
   * @return false if the response must be replaced by a 503 (fail closed)
   */
  boolean flush() {
    if (view == null) {
      return true;
    }
    SessionData data = view.data();
    if (data.invalidated && data.isNew()) {
      return true;
    }
    if (data.principal == null && request.getUserPrincipal() != null && !data.invalidated) {
      synchronized (data) {
        data.principal = request.getUserPrincipal().getName();
        data.metaChanged = true;
      }
    }
    try {
      repository().save(data);
      sessions.saved(data);
      sessions.storeAnswered();
      return true;
    } catch (StateException e) {
      switch (sessions.storeDownPolicy()) {
        case SERVE_CACHED -> {
          sessions.defer(data);
          sessions.storeError("deferred", "each server keeps its changes and retries them", e);
          return true;
        }
        case NEW_SESSION -> {
          sessions.storeError("dropped", "session changes are dropped", e);
          return true;
        }
        default -> {
          sessions.storeError("rejected", "requests that change their session fail closed", e);
          return false;
        }
      }
    }
  }
}
