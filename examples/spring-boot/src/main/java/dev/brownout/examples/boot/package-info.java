/**
 * The booking site on Spring Boot: listings, sign-in, bookings paid through a guarded payment API,
 * instant booking in a staged rollout, browse-only when the database refuses writes. Brownout comes
 * from the starter alone; everything here is the application's own code.
 */
@NullMarked
package dev.brownout.examples.boot;

import org.jspecify.annotations.NullMarked;
