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

  /** The session id (key and secret, as {@code HttpSession.getId()} gives it). */
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
    data.set(name, value);
    return this;
  }

  /** Removes an attribute, saved by {@link #save()}. */
  public SessionHandle removeAttribute(String name) {
    Objects.requireNonNull(name, "name");
    data.remove(name);
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
   * due. {@link SaveOutcome#CONFLICT} if it could not be saved as this handle saw the session
   * (nothing was written; the handle saves nothing more: open the session again).
   *
   * @throws dev.brownout.state.RecordTooLargeException if the session would exceed the store's
   *     record limit (nothing was written)
   * @throws dev.brownout.state.StateException if the store cannot be reached
   */
  public SaveOutcome save() {
    return repository.save(data);
  }
}
