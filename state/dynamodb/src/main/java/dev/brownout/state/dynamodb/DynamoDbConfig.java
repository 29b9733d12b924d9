package dev.brownout.state.dynamodb;

import dev.brownout.core.config.ConfigKey;
import dev.brownout.core.config.ValueType;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/** The configuration keys of the DynamoDB store. */
public final class DynamoDbConfig {
  private DynamoDbConfig() {}

  /** The table. */
  public static final ConfigKey<String> TABLE =
      ConfigKey.of("brownout.state.dynamodb.table", ValueType.string())
          .defaultValue("brownout")
          .doc("The DynamoDB table (partition key pk, sort key sk, both strings; TTL on ttl).")
          .build();

  /** The region. */
  public static final ConfigKey<String> REGION =
      ConfigKey.of("brownout.state.dynamodb.region", ValueType.string())
          .defaultValue("us-east-1")
          .doc("The AWS region of the table.")
          .build();

  /** An endpoint other than AWS's, such as DynamoDB Local. */
  public static final ConfigKey<URI> ENDPOINT =
      ConfigKey.of("brownout.state.dynamodb.endpoint", ValueType.uri())
          .doc(
              "An endpoint other than AWS's own, such as http://localhost:8000 for DynamoDB Local.")
          .build();

  /** How long any DynamoDB call may take, retries included. */
  public static final ConfigKey<Duration> TIMEOUT =
      ConfigKey.of(
              "brownout.state.dynamodb.timeout",
              ValueType.duration(Duration.ofMillis(50), Duration.ofMinutes(1)))
          .defaultValue(Duration.ofSeconds(3))
          .doc(
              "How long any DynamoDB call may take, the SDK's retries included, before it fails with StateUnavailableException.")
          .build();

  /** How often watched namespaces are polled. */
  public static final ConfigKey<Duration> POLL_INTERVAL =
      ConfigKey.of(
              "brownout.state.dynamodb.poll-interval",
              ValueType.duration(Duration.ofMillis(50), Duration.ofMinutes(10)))
          .defaultValue(Duration.ofSeconds(1))
          .doc(
              "How often each watched namespace's revision is read (with ±20% jitter); the time a change takes to reach other servers.")
          .build();

  /** Every DynamoDB key. */
  public static List<ConfigKey<?>> keys() {
    return List.of(TABLE, REGION, ENDPOINT, TIMEOUT, POLL_INTERVAL);
  }
}
