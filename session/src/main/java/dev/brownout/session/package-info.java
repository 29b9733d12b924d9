/**
 * Externalized HTTP sessions: {@link dev.brownout.session.Sessions} and its servlet filter keep
 * every session in a {@code StateStore} (Redis, DynamoDB, memory), one round trip to load and one
 * atomic delta to save, so any server can serve any request.
 */
@NullMarked
package dev.brownout.session;

import org.jspecify.annotations.NullMarked;
