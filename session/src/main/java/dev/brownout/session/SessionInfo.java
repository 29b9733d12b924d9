package dev.brownout.session;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What an operator may see of a stored session: never the attribute values.
 *
 * @param id the session's {@linkplain SessionIds#key key}: names it for {@link
 *     SessionRepository#find} and {@link SessionRepository#invalidate}, but is not a credential
 *     (the secret half of the id is never stored)
 * @param created when it was created
 * @param lastAccessWritten the last access the store knows of (refreshes are coalesced, see {@code
 *     brownout.session.touch-threshold})
 * @param maxInactive its idle timeout
 * @param expiresAt when the store will drop it
 * @param principal who it belongs to, if bound
 * @param attributeNames the names of its attributes
 */
public record SessionInfo(
    String id,
    Instant created,
    Instant lastAccessWritten,
    Duration maxInactive,
    Instant expiresAt,
    @Nullable String principal,
    Set<String> attributeNames) {

  /** Who it belongs to, if bound. */
  public Optional<String> principalName() {
    return Optional.ofNullable(principal);
  }
}
