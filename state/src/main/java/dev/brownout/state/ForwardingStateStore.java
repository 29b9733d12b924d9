package dev.brownout.state;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** A store that forwards every call to another: the base of decorators (near cache, metrics). */
public abstract class ForwardingStateStore implements StateStore {
  private final StateStore delegate;

  /** Forwards to {@code delegate}. */
  protected ForwardingStateStore(StateStore delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /** The store calls are forwarded to. */
  protected final StateStore delegate() {
    return delegate;
  }

  @Override
  public String kind() {
    return delegate.kind();
  }

  @Override
  public long maxRecordBytes() {
    return delegate.maxRecordBytes();
  }

  @Override
  public Optional<StateRecord> read(Namespace namespace, String key) {
    return delegate.read(namespace, key);
  }

  @Override
  public Optional<StateRecord> read(Namespace namespace, String key, Set<String> fields) {
    return delegate.read(namespace, key, fields);
  }

  @Override
  public WriteResult update(Namespace namespace, String key, Update update) {
    return delegate.update(namespace, key, update);
  }

  @Override
  public boolean delete(Namespace namespace, String key, Precondition precondition) {
    return delegate.delete(namespace, key, precondition);
  }

  @Override
  public List<StateRecord> list(Namespace namespace) {
    return delegate.list(namespace);
  }

  @Override
  public Watch watch(Namespace namespace, WatchListener listener) {
    return delegate.watch(namespace, listener);
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + delegate + "]";
  }
}
