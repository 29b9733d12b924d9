package dev.brownout.core;

/**
 * Marks an exception that says a dependency is unreachable, slow or overloaded for now, so that
 * trying again later may work: a store that did not answer, a throttled call. The admin API answers
 * such a failure with {@code 503} and {@code Retry-After} rather than {@code 500}, and the filters
 * do the same for requests.
 */
public interface TransientFailure {}
