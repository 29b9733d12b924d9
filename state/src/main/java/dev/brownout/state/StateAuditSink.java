package dev.brownout.state;

import dev.brownout.core.admin.AuditRecord;
import dev.brownout.core.admin.AuditSink;
import dev.brownout.core.json.JsonCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Keeps admin audit records in a store, so they survive restarts and every server sees the same
 * trail. Each record is one store record in a small namespace (default {@code brownout-audit}),
 * keyed by time so the newest sort last, expiring after the retention period (default 90 days).
 *
 * <p>A record that cannot be written fails the sink, which the admin API logs and counts; the
 * change it describes has already been made.
 */
public final class StateAuditSink implements AuditSink {
  /** The default namespace. */
  public static final Namespace DEFAULT_NAMESPACE = Namespace.small("brownout-audit");

  /** The default retention. */
  public static final Duration DEFAULT_RETENTION = Duration.ofDays(90);

  private final StateStore store;
  private final Namespace namespace;
  private final Duration retention;

  /** Writes to {@code store} in the default namespace with the default retention. */
  public StateAuditSink(StateStore store) {
    this(store, DEFAULT_NAMESPACE, DEFAULT_RETENTION);
  }

  /** Writes to {@code store} in {@code namespace}, keeping records for {@code retention}. */
  public StateAuditSink(StateStore store, Namespace namespace, Duration retention) {
    this.store = Objects.requireNonNull(store, "store");
    this.namespace = Objects.requireNonNull(namespace, "namespace");
    if (!namespace.small()) {
      throw new IllegalArgumentException(
          "the audit namespace must be small (listable) but " + namespace + " is large");
    }
    if (retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException("retention must be positive but was " + retention);
    }
    this.retention = retention;
  }

  @Override
  public void record(AuditRecord record) {
    // Zero-padded epoch nanoseconds sort as text; the suffix keeps two records of one instant
    // apart.
    Instant at = record.at();
    String key =
        String.format(
            "%020d-%s",
            at.getEpochSecond() * 1_000_000_000L + at.getNano(),
            UUID.randomUUID().toString().substring(0, 8));
    store.update(
        namespace,
        key,
        Update.builder()
            .set("record", JsonCodec.standard().encode(new StoredAudit(record)))
            .expireAt(at.plus(retention))
            .precondition(Precondition.absent())
            .build());
  }

  @Override
  public List<AuditRecord> recent(int limit) {
    return store.list(namespace).stream()
        .sorted(Comparator.comparing(StateRecord::key).reversed())
        .limit(limit)
        .map(
            stored ->
                JsonCodec.standard()
                    .decode(stored.field("record").orElseThrow(), StoredAudit.class)
                    .toRecord())
        .toList();
  }

  @Override
  public boolean keepsRecords() {
    return true;
  }

  /** The stored form: before and after as JSON text, so they read back exactly. */
  record StoredAudit(
      Instant at,
      String actor,
      String action,
      String target,
      String before,
      String after,
      String reason) {
    StoredAudit(AuditRecord record) {
      this(
          record.at(),
          record.actor(),
          record.action(),
          record.target(),
          record.before(),
          record.after(),
          record.reason());
    }

    AuditRecord toRecord() {
      return new AuditRecord(at, actor, action, target, before, after, reason);
    }
  }
}
