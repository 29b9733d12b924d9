/**
 * Graceful degradation: browse-only mode, entered by hand or automatically, which keeps reads
 * working and refuses writes politely, and the gate that applies it to service methods and HTTP
 * requests.
 */
@NullMarked
package dev.brownout.degrade;

import org.jspecify.annotations.NullMarked;
