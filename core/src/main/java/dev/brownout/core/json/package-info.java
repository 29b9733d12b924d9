/**
 * JSON behind a small interface. Wire formats (admin API, audit records, flag definitions) go
 * through {@link dev.brownout.core.json.JsonCodec}, so Jackson's API never leaks into Brownout's.
 */
@NullMarked
package dev.brownout.core.json;

import org.jspecify.annotations.NullMarked;
