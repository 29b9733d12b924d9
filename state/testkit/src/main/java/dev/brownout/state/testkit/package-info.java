/**
 * The contract every {@code StateStore} must meet, as one abstract test suite: extend {@link
 * dev.brownout.state.testkit.StateStoreContract} for a store, give it a way to connect (and,
 * optionally, to stop and start the server), and the suite checks the rest.
 */
@NullMarked
package dev.brownout.state.testkit;

import org.jspecify.annotations.NullMarked;
