package dev.brownout.state.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisURI;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How the store reads where Redis is: every URI form, and every mistake named, no password. */
class RedisEndpointTest {
  static final Duration TIMEOUT = Duration.ofSeconds(1);

  static RedisEndpoint parse(String uri) {
    return RedisEndpoint.parse(URI.create(uri), RedisEndpoint.Security.none(), TIMEOUT);
  }

  static RedisEndpoint parse(String uri, RedisEndpoint.Security security) {
    return RedisEndpoint.parse(URI.create(uri), security, TIMEOUT);
  }

  @Test
  void oneServerWithCredentialsAndADatabase() {
    RedisEndpoint endpoint = parse("redis://ada:s%40cret@cache.internal:6380/2");

    assertThat(endpoint.mode()).isEqualTo(RedisEndpoint.Mode.STANDALONE);
    RedisURI uri = endpoint.uri();
    assertThat(uri.getHost()).isEqualTo("cache.internal");
    assertThat(uri.getPort()).isEqualTo(6380);
    assertThat(uri.getDatabase()).isEqualTo(2);
    // The credentials themselves are checked against a server with ACLs
    // (RedisTlsAclStateStoreTest).
    assertThat(uri.getTimeout()).isEqualTo(TIMEOUT);
    assertThat(endpoint.address()).isEqualTo("cache.internal:6380").doesNotContain("cret");
  }

  @Test
  void aClusterListsItsSeeds() {
    RedisEndpoint endpoint = parse("rediss-cluster://a:7000,b:7001,c");

    assertThat(endpoint.mode()).isEqualTo(RedisEndpoint.Mode.CLUSTER);
    assertThat(endpoint.tls()).isTrue();
    assertThat(endpoint.seeds())
        .extracting(RedisURI::getHost, RedisURI::getPort, RedisURI::isSsl)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("a", 7000, true),
            org.assertj.core.groups.Tuple.tuple("b", 7001, true),
            org.assertj.core.groups.Tuple.tuple("c", RedisURI.DEFAULT_REDIS_PORT, true));
  }

  @Test
  void anIpv6Server() {
    assertThat(parse("redis://[::1]:7002").uri().getHost()).isEqualTo("::1");
    assertThat(parse("redis://[::1]:7002").address()).isEqualTo("[::1]:7002");
  }

  @Test
  void sentinelsNameTheirPrimary() {
    RedisEndpoint endpoint =
        parse(
            "redis-sentinel://s1:26379,s2/orders",
            new RedisEndpoint.Security("app", "pw", null, null, null, null, true));

    assertThat(endpoint.mode()).isEqualTo(RedisEndpoint.Mode.SENTINEL);
    RedisURI uri = endpoint.uri();
    assertThat(uri.getSentinelMasterId()).isEqualTo("orders");
    assertThat(uri.getSentinels())
        .extracting(RedisURI::getHost, RedisURI::getPort)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("s1", 26379),
            org.assertj.core.groups.Tuple.tuple("s2", RedisURI.DEFAULT_SENTINEL_PORT));
    assertThat(endpoint.address()).isEqualTo("primary orders of sentinels s1:26379,s2:26379");
  }

  @Test
  void mistakesAreNamedWithTheFormExpected() {
    assertThatThrownBy(() -> parse("redis-sentinel://s1:26379"))
        .hasMessageContaining("redis-sentinel://host:port[,host:port…]/primary-name")
        .hasMessageContaining("no name");
    assertThatThrownBy(() -> parse("redis-cluster://a:7000/3"))
        .hasMessageContaining("seed nodes only");
    assertThatThrownBy(() -> parse("redis://a:1,b:2")).hasMessageContaining("redis-cluster://");
    assertThatThrownBy(() -> parse("redis://a:99999")).hasMessageContaining("1 to 65535");
    assertThatThrownBy(() -> parse("redis://a/db")).hasMessageContaining("database number");
    assertThatThrownBy(() -> parse("memcached://a")).hasMessageContaining("rediss-sentinel://");
    assertThatThrownBy(
            () ->
                parse(
                    "redis://a",
                    new RedisEndpoint.Security(
                        null, null, "/tmp/trust.pem", null, null, null, true)))
        .hasMessageContaining("only apply to TLS");
    assertThatThrownBy(
            () ->
                parse(
                    "rediss://a",
                    new RedisEndpoint.Security(
                        null, null, "/no/such/trust.p12", null, null, null, true)))
        .hasMessageContaining("/no/such/trust.p12 is not a readable file");
  }

  @Test
  void credentialsInTwoPlacesAreRefusedWithoutShowingThem() {
    assertThatThrownBy(
            () ->
                parse(
                    "redis://user:hunter2@a",
                    new RedisEndpoint.Security(null, "other-secret", null, null, null, null, true)))
        .hasMessageContaining("keep them in one place")
        .satisfies(
            e ->
                assertThat(e.getMessage())
                    .doesNotContain("hunter2")
                    .doesNotContain("other-secret"));
    assertThatThrownBy(
            () ->
                parse(
                    "redis://a",
                    new RedisEndpoint.Security("ada", null, null, null, null, null, true)))
        .hasMessageContaining("username ada has no password");
  }

  @Test
  void aBadUriSettingNamesTheKeyButNotTheValue() {
    assertThatThrownBy(
            () ->
                RedisStateStore.builder()
                    .uri("redis-sentinel://user:hunter2@s1:26379")
                    .connectLazily()
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("brownout.state.redis.uri (from code): ")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
  }

  @Test
  void aTlsFileThatIsNotThereIsNamedByItsSetting() {
    assertThatThrownBy(
            () ->
                RedisStateStore.builder()
                    .uri("rediss://localhost:6380")
                    .truststore(java.nio.file.Path.of("/no/such/ca.pem"))
                    .connectLazily()
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("brownout.state.redis.truststore = /no/such/ca.pem (from code)")
        .hasMessageContaining("PEM file");
  }
}
