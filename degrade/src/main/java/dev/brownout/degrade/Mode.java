package dev.brownout.degrade;

/** Whether the application takes writes. */
public enum Mode {
  /** Normal: reads and writes. */
  READ_WRITE,
  /** Browse-only: reads work, writes are refused politely. */
  BROWSE_ONLY;

  /** The value of the mode header: {@code read-write} or {@code browse-only}. */
  public String headerValue() {
    return this == READ_WRITE ? "read-write" : "browse-only";
  }
}
