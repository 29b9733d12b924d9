/**
 * A {@code StateStore} on DynamoDB: one item per record, every update one conditional {@code
 * UpdateItem}, strongly consistent reads, native TTL with an expiry check on read.
 */
@NullMarked
package dev.brownout.state.dynamodb;

import org.jspecify.annotations.NullMarked;
