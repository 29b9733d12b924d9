package dev.brownout.state;

/**
 * What an update did.
 *
 * @param version the record's version after the update
 * @param created whether the update created the record
 */
public record WriteResult(long version, boolean created) {}
