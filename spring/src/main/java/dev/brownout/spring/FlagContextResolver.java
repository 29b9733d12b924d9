package dev.brownout.spring;

import dev.brownout.flags.FlagContext;

/**
 * Whose flags a {@code @FeatureFlag} method without a {@code FlagContext} parameter evaluates. The
 * starter's default takes the principal Spring Security authenticated (or the request's {@code
 * getUserPrincipal()}), else the id of the request's existing session, so an anonymous visitor
 * stays in one rollout bucket, else {@link FlagContext#anonymous()}. Define a bean of this type to
 * add attributes (plan, country) or to key by account instead; the starter's backs off.
 */
@FunctionalInterface
public interface FlagContextResolver {

  /** The context of the current call; never null. Called on the caller's thread. */
  FlagContext resolve();
}
