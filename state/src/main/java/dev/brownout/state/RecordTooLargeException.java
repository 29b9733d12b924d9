package dev.brownout.state;

/** The record would be larger than the store accepts; nothing changed. */
public class RecordTooLargeException extends StateException {
  private static final long serialVersionUID = 1L;

  private final long size;
  private final long limit;

  /** Creates the exception with the size the record would have had, or at least, and the limit. */
  public RecordTooLargeException(String message, long size, long limit) {
    super(message, null);
    this.size = size;
    this.limit = limit;
  }

  /** The size the record would have had (a lower bound where the store cannot tell exactly). */
  public long size() {
    return size;
  }

  /** The store's limit. */
  public long limit() {
    return limit;
  }
}
