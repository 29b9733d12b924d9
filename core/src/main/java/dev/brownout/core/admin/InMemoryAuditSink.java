package dev.brownout.core.admin;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Keeps the most recent audit records in memory, up to a capacity. Lost on restart. */
public final class InMemoryAuditSink implements AuditSink {
  private final int capacity;
  private final ArrayDeque<AuditRecord> records;

  /** Keeps up to {@code capacity} records. */
  public InMemoryAuditSink(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("audit capacity must be at least 1 but was " + capacity);
    }
    this.capacity = capacity;
    this.records = new ArrayDeque<>(Math.min(capacity, 1024));
  }

  @Override
  public synchronized void record(AuditRecord record) {
    if (records.size() == capacity) {
      records.removeFirst();
    }
    records.addLast(record);
  }

  @Override
  public synchronized List<AuditRecord> recent(int limit) {
    List<AuditRecord> newestFirst = new ArrayList<>(Math.min(limit, records.size()));
    Iterator<AuditRecord> it = records.descendingIterator();
    while (it.hasNext() && newestFirst.size() < limit) {
      newestFirst.add(it.next());
    }
    return newestFirst;
  }

  @Override
  public boolean keepsRecords() {
    return true;
  }
}
