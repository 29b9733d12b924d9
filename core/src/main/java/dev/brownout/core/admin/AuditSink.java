package dev.brownout.core.admin;

import java.util.List;

/**
 * Where audit records go. {@link AdminApi} writes one for every successful change. Implementations
 * must be thread-safe; a sink that fails throws, and the failure is logged and counted.
 */
@FunctionalInterface
public interface AuditSink {

  /** Records a change. */
  void record(AuditRecord record);

  /**
   * The most recent records, newest first, if this sink keeps them; the admin API serves them at
   * {@code GET /api/v1/audit}.
   *
   * @throws UnsupportedOperationException if the sink only forwards records
   */
  default List<AuditRecord> recent(int limit) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " does not keep records");
  }

  /** Whether {@link #recent(int)} is supported. */
  default boolean keepsRecords() {
    return false;
  }

  /** A sink that writes to all of {@code sinks}, and reads from the first that keeps records. */
  static AuditSink allOf(AuditSink... sinks) {
    List<AuditSink> all = List.of(sinks);
    return new AuditSink() {
      @Override
      public void record(AuditRecord record) {
        for (AuditSink sink : all) {
          sink.record(record);
        }
      }

      @Override
      public List<AuditRecord> recent(int limit) {
        for (AuditSink sink : all) {
          if (sink.keepsRecords()) {
            return sink.recent(limit);
          }
        }
        return AuditSink.super.recent(limit);
      }

      @Override
      public boolean keepsRecords() {
        return all.stream().anyMatch(AuditSink::keepsRecords);
      }
    };
  }
}
