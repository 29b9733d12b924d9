package dev.brownout.session;

import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionAttributeListener;
import jakarta.servlet.http.HttpSessionBindingEvent;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;
import java.util.ArrayList;
import java.util.EventListener;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's session listeners, told of what happens in its requests: created, destroyed (by
 * {@code invalidate}; a session that simply expires in the store is not announced, as that would
 * need keyspace notifications or table scans), attribute added, replaced and removed, id changed. A
 * listener that throws is logged and does not stop the others.
 */
final class SessionListeners {
  private static final Logger log = LoggerFactory.getLogger(SessionListeners.class);

  private final List<HttpSessionListener> lifecycle = new ArrayList<>();
  private final List<HttpSessionAttributeListener> attributes = new ArrayList<>();
  private final List<HttpSessionIdListener> ids = new ArrayList<>();

  SessionListeners(List<EventListener> listeners) {
    for (EventListener listener : listeners) {
      boolean known = false;
      if (listener instanceof HttpSessionListener l) {
        lifecycle.add(l);
        known = true;
      }
      if (listener instanceof HttpSessionAttributeListener l) {
        attributes.add(l);
        known = true;
      }
      if (listener instanceof HttpSessionIdListener l) {
        ids.add(l);
        known = true;
      }
      if (!known) {
        throw new IllegalArgumentException(
            listener.getClass().getName()
                + " is not an HttpSessionListener, HttpSessionAttributeListener or"
                + " HttpSessionIdListener");
      }
    }
  }

  /** Whether replaced and removed events need the old value decoded. */
  boolean wantsOldValues() {
    return !attributes.isEmpty();
  }

  void created(HttpSession session) {
    HttpSessionEvent event = new HttpSessionEvent(session);
    lifecycle.forEach(l -> safely(() -> l.sessionCreated(event)));
  }

  void destroyed(HttpSession session) {
    HttpSessionEvent event = new HttpSessionEvent(session);
    lifecycle.forEach(l -> safely(() -> l.sessionDestroyed(event)));
  }

  void added(HttpSession session, String name, Object value) {
    HttpSessionBindingEvent event = new HttpSessionBindingEvent(session, name, value);
    attributes.forEach(l -> safely(() -> l.attributeAdded(event)));
  }

  void replaced(HttpSession session, String name, Object old) {
    HttpSessionBindingEvent event = new HttpSessionBindingEvent(session, name, old);
    attributes.forEach(l -> safely(() -> l.attributeReplaced(event)));
  }

  void removed(HttpSession session, String name, Object old) {
    HttpSessionBindingEvent event = new HttpSessionBindingEvent(session, name, old);
    attributes.forEach(l -> safely(() -> l.attributeRemoved(event)));
  }

  void idChanged(HttpSession session, String oldId) {
    HttpSessionEvent event = new HttpSessionEvent(session);
    ids.forEach(l -> safely(() -> l.sessionIdChanged(event, oldId)));
  }

  private static void safely(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      log.warn("A session listener failed", e);
    }
  }
}
