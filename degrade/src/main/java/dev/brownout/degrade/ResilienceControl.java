package dev.brownout.degrade;

import dev.brownout.core.internal.OutageLog;
import dev.brownout.core.json.JsonCodec;
import dev.brownout.state.ChangeEvent;
import dev.brownout.state.Namespace;
import dev.brownout.state.NamespaceFollower;
import dev.brownout.state.Precondition;
import dev.brownout.state.StateException;
import dev.brownout.state.StateRecord;
import dev.brownout.state.StateStore;
import dev.brownout.state.Update;
import dev.brownout.state.WriteResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What operators set on guards, kept in the store so that it holds on every server and across
 * restarts: a breaker forced open or closed, and settings that replace the declared ones (breaker,
 * retry, bulkhead, rate limiter, timeout). One record per guard in the small namespace {@value
 * #NAMESPACE_NAME}, keyed {@code kind:name}; every server follows the namespace and applies each
 * change, so a change made through one server's admin API is in force on all within the store's
 * notification delay (or the refresh interval, if a notification is lost).
 */
final class ResilienceControl implements AutoCloseable {
  static final String NAMESPACE_NAME = "brownout-resilience";
  static final Namespace NAMESPACE = Namespace.small(NAMESPACE_NAME);

  static final String FORCED = "forced";
  static final String SETTINGS = "settings";
  static final String EPOCH = "epoch";

  private static final Logger log = LoggerFactory.getLogger(ResilienceControl.class);

  /** What a stored record says, decoded. */
  record Control(
      String kind,
      String name,
      @Nullable String forced,
      byte @Nullable [] settings,
      long epoch,
      long version) {}

  /** Applies stored controls to this server's guards. */
  interface Target {
    /** Applies {@code control}; {@code null} when the guard's record was deleted. */
    void apply(String kind, String name, @Nullable Control control);
  }

  private final StateStore store;
  private final Target target;
  private final NamespaceFollower follower;
  private final OutageLog outage;
  private final JsonCodec codec = JsonCodec.standard();

  ResilienceControl(StateStore store, Target target, Duration refresh) {
    this.store = store;
    this.target = target;
    this.outage = new OutageLog(log, "Resilience control store (" + store.kind() + ")");
    this.follower =
        new NamespaceFollower(
            store,
            NAMESPACE,
            refresh,
            "brownout-resilience",
            new NamespaceFollower.Owner() {
              @Override
              public void refreshAll() {
                ResilienceControl.this.refreshAll();
              }

              @Override
              public void changed(ChangeEvent event) {
                refresh(event.key());
              }
            });
  }

  /** Applies what the store holds, then follows it. */
  void start() {
    refreshAll();
    follower.start();
  }

  private void refreshAll() {
    try {
      for (StateRecord record : store.list(NAMESPACE)) {
        applyRecord(record.key(), record);
      }
      outage.recovered();
    } catch (StateException e) {
      outage.failed("guards keep the controls they last applied", e);
    }
  }

  private void refresh(String key) {
    try {
      applyRecord(key, store.read(NAMESPACE, key).orElse(null));
      outage.recovered();
    } catch (StateException e) {
      outage.failed("guards keep the controls they last applied", e);
    }
  }

  private void applyRecord(String key, @Nullable StateRecord record) {
    int colon = key.indexOf(':');
    if (colon < 0) {
      return;
    }
    String kind = key.substring(0, colon);
    String name = key.substring(colon + 1);
    try {
      target.apply(kind, name, record == null ? null : decode(kind, name, record));
    } catch (RuntimeException e) {
      log.error("Ignoring the stored control {}: {}", key, e.getMessage());
    }
  }

  private static Control decode(String kind, String name, StateRecord record) {
    return new Control(
        kind,
        name,
        record.text(FORCED).orElse(null),
        record.field(SETTINGS).orElse(null),
        record.text(EPOCH).map(Long::parseLong).orElse(0L),
        record.version());
  }

  /** The stored control of a guard, read from the store now. */
  Optional<Control> read(String kind, String name) {
    return store.read(NAMESPACE, kind + ":" + name).map(record -> decode(kind, name, record));
  }

  /**
   * Stores a change to a guard's control and applies it here at once; other servers apply it when
   * they hear of it.
   *
   * @param forced {@code "open"}, {@code "closed"}, {@code ""} to release, or null to keep
   * @param settings the new settings as JSON, or null to keep
   * @param bumpEpoch whether every server resets the guard (a release, a reset)
   * @param ifVersion the version the operator last read, from {@code If-Match}
   * @throws dev.brownout.state.PreconditionFailedException if the record has moved on
   */
  Control write(
      String kind,
      String name,
      @Nullable String forced,
      @Nullable Object settings,
      boolean bumpEpoch,
      OptionalLong ifVersion) {
    String key = kind + ":" + name;
    Optional<Control> current = read(kind, name);
    Update.Builder update = Update.builder().persist();
    if (forced != null) {
      if (forced.isEmpty()) {
        update.remove(FORCED);
      } else {
        update.set(FORCED, forced.getBytes(StandardCharsets.UTF_8));
      }
    }
    if (settings != null) {
      update.set(SETTINGS, codec.encode(settings));
    }
    long epoch = current.map(Control::epoch).orElse(0L) + (bumpEpoch ? 1 : 0);
    update.set(EPOCH, Long.toString(epoch).getBytes(StandardCharsets.UTF_8));
    if (ifVersion.isPresent()) {
      update.precondition(Precondition.versionEquals(ifVersion.getAsLong()));
    }
    WriteResult written = store.update(NAMESPACE, key, update.build());
    Control after =
        read(kind, name)
            .orElseGet(() -> new Control(kind, name, forced, null, epoch, written.version()));
    target.apply(kind, name, after);
    return after;
  }

  /** Decodes stored settings. */
  <T> @Nullable T settings(@Nullable Control control, Class<T> type) {
    if (control == null || control.settings() == null) {
      return null;
    }
    return codec.decode(control.settings(), type);
  }

  @Override
  public void close() {
    follower.close();
  }
}
