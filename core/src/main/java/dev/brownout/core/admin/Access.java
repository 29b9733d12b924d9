package dev.brownout.core.admin;

/** The right a route needs. Write includes read. */
public enum Access {
  /** Looking: lists, reads, the audit trail. */
  READ,
  /** Changing: anything that mutates state, and is therefore audited. */
  WRITE;

  /** Whether holding this right allows {@code needed}. */
  public boolean allows(Access needed) {
    return this == WRITE || needed == READ;
  }
}
