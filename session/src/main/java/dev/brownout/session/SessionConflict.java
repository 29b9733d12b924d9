package dev.brownout.session;

import java.util.Set;

/**
 * Attributes two requests changed at once in {@link ConcurrencyMode#OPTIMISTIC} mode. The other
 * request's values were kept; this request's changes to these attributes were not saved.
 *
 * @param sessionId the session
 * @param attributes the attributes both changed
 */
public record SessionConflict(String sessionId, Set<String> attributes) {
  /** Copies the set. */
  public SessionConflict {
    attributes = Set.copyOf(attributes);
  }
}
