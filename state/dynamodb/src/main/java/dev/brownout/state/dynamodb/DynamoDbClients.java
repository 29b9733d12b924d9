package dev.brownout.state.dynamodb;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Builds the SDK client a store makes for itself: the synchronous client on the JDK's URL
 * connection (no Netty), every call and every attempt bounded by the store's timeout.
 */
final class DynamoDbClients {
  private DynamoDbClients() {}

  /**
   * A client for {@code region}, or for {@code endpoint} if given. Without {@code credentials}, a
   * loopback endpoint (DynamoDB Local) gets placeholder ones and anything else the SDK's chain.
   */
  static DynamoDbClient create(
      String region,
      @Nullable URI endpoint,
      Duration timeout,
      @Nullable AwsCredentialsProvider credentials) {
    var builder =
        DynamoDbClient.builder()
            .region(Region.of(region))
            .httpClientBuilder(
                UrlConnectionHttpClient.builder().connectionTimeout(timeout).socketTimeout(timeout))
            .overrideConfiguration(
                ClientOverrideConfiguration.builder()
                    .apiCallTimeout(timeout)
                    .apiCallAttemptTimeout(timeout)
                    // Three attempts: the SDK's DynamoDB default retries throttling with a
                    // backoff that outlasts any sensible timeout, hiding throttling behind it.
                    .retryStrategy(
                        AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(3).build())
                    // So throttling that outlasts the timeout is still reported as throttling.
                    .addExecutionInterceptor(new ThrottlingMemory())
                    .build());
    if (endpoint != null) {
      builder.endpointOverride(endpoint);
    }
    if (credentials != null) {
      builder.credentialsProvider(credentials);
    } else if (endpoint != null && isLoopback(endpoint)) {
      builder.credentialsProvider(
          StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")));
    } else {
      builder.credentialsProvider(DefaultCredentialsProvider.builder().build());
    }
    return builder.build();
  }

  private static boolean isLoopback(URI endpoint) {
    try {
      return endpoint.getHost() != null
          && InetAddress.getByName(endpoint.getHost()).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
