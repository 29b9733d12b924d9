package dev.brownout.session;

import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A session opened outside a request, through {@link SessionRepository#open(String)} or {@link
 * SessionRepository#create(java.time.Duration)}. Not thread-safe: one caller at a time.
 */
public final class SessionHandle {
  private final SessionRepository repository;
  private final SessionData data;

  SessionHandle(SessionRepository repository, SessionData data) {
    this.repository = repository;
    this.data = data;
  }

  /** The session id. */
  public String id() {
    synchronized (data) {
      return data.id;
    }
  }

  /** An attribute, decoded on first read; null if absent. */
  public @Nullable Object attribute(String name) {
    Objects.requireNonNull(name, "name");
    return repository.attribute(data, name);
  }

  /** The attribute names. */
  public Set<String> attributeNames() {
    return Set.copyOf(data.names());
  }

  /**
   * Sets an attribute, saved by {@link #save()}.
   *
   * @throws IllegalArgumentException if the codec cannot store the value, or the name is too long
   */
  public SessionHandle setAttribute(String name, Object value) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    SessionData.checkName(name);
    repository.codec().check(name, value);
    synchronized (data) {
      data.values.put(name, value);
      data.changed.add(name);
      data.removed.remove(name);
      data.undecodable.remove(name);
    }
    return this;
  }

  /** Removes an attribute, saved by {@link #save()}. */
  public SessionHandle removeAttribute(String name) {
    Objects.requireNonNull(name, "name");
    synchronized (data) {
      data.values.remove(name);
      data.changed.remove(name);
      data.removed.add(name);
    }
    return this;
  }

  /** Marks the session for deletion by {@link #save()}. */
  public SessionHandle invalidate() {
    synchronized (data) {
      data.invalidated = true;
    }
    return this;
  }

  /**
   * Writes what changed: one atomic update, or nothing if nothing changed and the expiry is not
   * due.
   *
   * @throws dev.brownout.state.StateException if the store cannot be reached
   */
  public SaveOutcome save() {
    return repository.save(data);
  }
}
