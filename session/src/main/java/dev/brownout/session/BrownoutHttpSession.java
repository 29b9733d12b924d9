package dev.brownout.session;

import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionBindingEvent;
import jakarta.servlet.http.HttpSessionBindingListener;
import java.time.Duration;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Objects;

/**
 * The {@link HttpSession} the application sees: a view of one request's {@link SessionData}.
 * Attribute values are decoded when first read; {@code setAttribute} checks the value can be
 * encoded (so a mistake fails here, with the caller's stack) and the value is encoded at the end of
 * the request, so changes made to it after {@code setAttribute} are saved too.
 */
final class BrownoutHttpSession implements HttpSession {
  private final RequestSession request;
  private final SessionData data;

  BrownoutHttpSession(RequestSession request, SessionData data) {
    this.request = request;
    this.data = data;
  }

  SessionData data() {
    return data;
  }

  private void checkValid(String method) {
    if (data.invalidated) {
      throw new IllegalStateException(method + ": the session has been invalidated");
    }
  }

  @Override
  public long getCreationTime() {
    checkValid("getCreationTime");
    return data.created.toEpochMilli();
  }

  @Override
  public String getId() {
    synchronized (data) {
      return data.id;
    }
  }

  @Override
  public long getLastAccessedTime() {
    checkValid("getLastAccessedTime");
    synchronized (data) {
      return data.accessWritten.toEpochMilli();
    }
  }

  @Override
  public ServletContext getServletContext() {
    return request.servletContext();
  }

  @Override
  public void setMaxInactiveInterval(int interval) {
    // Stores expire records natively: "never" is the longest interval configuration allows.
    Duration duration = interval <= 0 ? Duration.ofDays(365) : Duration.ofSeconds(interval);
    synchronized (data) {
      if (!duration.equals(data.maxInactive)) {
        data.maxInactive = duration;
        data.metaChangedHere();
      }
    }
  }

  @Override
  public int getMaxInactiveInterval() {
    synchronized (data) {
      return (int) Math.min(Integer.MAX_VALUE, data.maxInactive.toSeconds());
    }
  }

  @Override
  public Object getAttribute(String name) {
    checkValid("getAttribute");
    Objects.requireNonNull(name, "name");
    String before = getId();
    Object value = request.repository().attribute(data, name);
    String after = getId();
    if (!before.equals(after)) {
      // The codec-failure policy started the session over under a new id: tell the client.
      request.idReplaced(this, before, after);
    }
    return value;
  }

  @Override
  public Enumeration<String> getAttributeNames() {
    checkValid("getAttributeNames");
    return Collections.enumeration(data.names());
  }

  @Override
  public void setAttribute(String name, Object value) {
    checkValid("setAttribute");
    Objects.requireNonNull(name, "name");
    if (value == null) {
      removeAttribute(name);
      return;
    }
    SessionData.checkName(name);
    request.repository().codec().check(name, value);
    boolean existed;
    Object old;
    synchronized (data) {
      existed = data.names().contains(name);
      old =
          existed && request.listeners().wantsOldValues() ? oldValue(name) : data.values.get(name);
      data.set(name, value);
    }
    if (value != old && value instanceof HttpSessionBindingListener bound) {
      bound.valueBound(new HttpSessionBindingEvent(this, name, value));
    }
    if (old != null && old != value && old instanceof HttpSessionBindingListener unbound) {
      unbound.valueUnbound(new HttpSessionBindingEvent(this, name, old));
    }
    if (existed) {
      request.listeners().replaced(this, name, old);
    } else {
      request.listeners().added(this, name, value);
    }
  }

  private Object oldValue(String name) {
    return request.repository().attribute(data, name);
  }

  @Override
  public void removeAttribute(String name) {
    checkValid("removeAttribute");
    Objects.requireNonNull(name, "name");
    Object old;
    synchronized (data) {
      if (!data.names().contains(name)) {
        return;
      }
      old = request.listeners().wantsOldValues() ? oldValue(name) : data.values.get(name);
      data.remove(name);
    }
    if (old instanceof HttpSessionBindingListener unbound) {
      unbound.valueUnbound(new HttpSessionBindingEvent(this, name, old));
    }
    request.listeners().removed(this, name, old);
  }

  /**
   * Invalidates the session as a servlet container does: {@code sessionDestroyed} first, while the
   * attributes can still be read; then every attribute is unbound, each telling its {@link
   * HttpSessionBindingListener} ({@code valueUnbound}) and the attribute listeners ({@code
   * attributeRemoved}). Values not yet read are decoded for it. The record is deleted when the
   * request's session is saved.
   */
  @Override
  public void invalidate() {
    checkValid("invalidate");
    request.listeners().destroyed(this);
    for (String name : data.names()) {
      Object value = request.repository().attribute(data, name);
      if (value instanceof HttpSessionBindingListener unbound) {
        unbound.valueUnbound(new HttpSessionBindingEvent(this, name, value));
      }
      if (value != null) {
        request.listeners().removed(this, name, value);
      }
    }
    synchronized (data) {
      data.invalidated = true;
    }
    request.invalidated(this);
  }

  /** True for the whole of the request that created the session, even once it is saved. */
  @Override
  public boolean isNew() {
    checkValid("isNew");
    synchronized (data) {
      return data.createdHere;
    }
  }
}
