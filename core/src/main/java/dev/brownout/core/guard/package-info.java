/**
 * Annotations on service methods, applied without a framework: {@link
 * dev.brownout.core.guard.GuardedProxies} wraps an interface in a proxy that runs, for each method,
 * a chain of {@link dev.brownout.core.guard.MethodGuard}s contributed by the modules
 * ({@code @FeatureFlag}, {@code @WriteOperation}, {@code @CircuitBreaker}, …). Annotations are read
 * and validated once, when the proxy is built, so a misconfigured method fails at start-up.
 */
@NullMarked
package dev.brownout.core.guard;

import org.jspecify.annotations.NullMarked;
