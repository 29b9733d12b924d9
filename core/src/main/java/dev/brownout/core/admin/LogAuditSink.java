package dev.brownout.core.admin;

import dev.brownout.core.json.JsonCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each audit record as one line of JSON at INFO to the logger {@code brownout.audit}, so it
 * can be routed to its own file or shipped with the application's logs.
 */
public final class LogAuditSink implements AuditSink {
  private static final Logger log = LoggerFactory.getLogger("brownout.audit");

  /** Creates the sink. */
  public LogAuditSink() {}

  @Override
  public void record(AuditRecord record) {
    log.info("{}", JsonCodec.standard().encodeToString(record));
  }
}
