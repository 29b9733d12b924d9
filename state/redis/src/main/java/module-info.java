/** A {@code StateStore} on Redis, through Lettuce. */
module dev.brownout.state.redis {
  requires transitive dev.brownout.state;
  requires lettuce.core;
  requires org.slf4j;

  exports dev.brownout.state.redis;

  provides dev.brownout.core.ModuleDeclarations with
      dev.brownout.state.redis.RedisDeclarations;
}
