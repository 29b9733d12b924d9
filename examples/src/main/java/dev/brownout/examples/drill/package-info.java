/**
 * The outage drill: two booking servers, two payment providers, a database and a state store under
 * traffic while they fail in turn, each outcome checked ({@code ./examples/demo drill}).
 */
@NullMarked
package dev.brownout.examples.drill;

import org.jspecify.annotations.NullMarked;
