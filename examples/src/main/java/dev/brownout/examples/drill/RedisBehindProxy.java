package dev.brownout.examples.drill;

import dev.brownout.state.testservers.FaultProxy;
import dev.brownout.state.testservers.RedisTestServer;
import java.time.Duration;

/**
 * The drill's Redis: a real {@code redis-server} (persisting every write) that the servers reach
 * through a fault proxy, so the drill can stop it, slow it down or cut it off.
 */
final class RedisBehindProxy implements Drill.Store {
  /** How long the proxy holds every byte each way in {@link #slow()}. */
  static final Duration SLOW = Duration.ofMillis(600);

  private final RedisTestServer redis;
  private final FaultProxy proxy;

  private RedisBehindProxy(RedisTestServer redis) {
    this.redis = redis;
    this.proxy = FaultProxy.to(redis.port());
  }

  static RedisBehindProxy launch() {
    RedisBehindProxy redis = new RedisBehindProxy(RedisTestServer.durable());
    redis.awaitAnswer();
    return redis;
  }

  /** Waits until Redis answers, so that servers start with their watches connected. */
  private void awaitAnswer() {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (true) {
      try {
        redis.commandCounts();
        return;
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Redis at " + redis.uri() + " does not answer", e);
        }
        Traffic.pause(100);
      }
    }
  }

  @Override
  public String name() {
    return "Redis";
  }

  /** The servers reach Redis through the proxy. */
  @Override
  public String uri() {
    return proxy.uri("redis");
  }

  @Override
  public void stop() {
    redis.stop();
  }

  @Override
  public void start() {
    redis.start();
  }

  /** Every byte held {@link #SLOW} each way: longer than the store's timeout. */
  void slow() {
    proxy.latency(SLOW);
  }

  /** Nothing passes either way; connections stay open. */
  void partition() {
    proxy.blackHole();
  }

  /** The network as it was. */
  void heal() {
    proxy.heal();
  }

  @Override
  public void close() {
    proxy.close();
    try {
      redis.close();
    } catch (RuntimeException e) {
      // stopped already
    }
  }
}
