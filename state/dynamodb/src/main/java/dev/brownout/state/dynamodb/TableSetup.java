package dev.brownout.state.dynamodb;

import static dev.brownout.state.dynamodb.RecordItems.PK;
import static dev.brownout.state.dynamodb.RecordItems.SK;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveDescription;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;

/** Creates the store's table ({@link DynamoDbStateStore#createTable}) and checks its TTL. */
final class TableSetup {
  // The store's logger, not this class's: the store is what operators set log levels for.
  private static final Logger log = LoggerFactory.getLogger(DynamoDbStateStore.class);

  // Creating a table is a one-off step at set-up, not a call on a request's path: it gets longer
  // than the store's per-call timeout (a cold DynamoDB Local took over 3 s to answer one).
  static final Duration SETUP_TIMEOUT = Duration.ofSeconds(30);

  private TableSetup() {}

  /**
   * Creates {@code table} unless it exists (on-demand capacity, TTL on {@code ttl}) and waits until
   * it is active. A table that cannot have TTL still works: reads hide expired items themselves.
   */
  static void create(DynamoDbClient client, String table) {
    try {
      client.createTable(
          request ->
              request
                  .overrideConfiguration(
                      o -> o.apiCallTimeout(SETUP_TIMEOUT).apiCallAttemptTimeout(SETUP_TIMEOUT))
                  .tableName(table)
                  .billingMode(BillingMode.PAY_PER_REQUEST)
                  .attributeDefinitions(
                      AttributeDefinition.builder()
                          .attributeName(PK)
                          .attributeType(ScalarAttributeType.S)
                          .build(),
                      AttributeDefinition.builder()
                          .attributeName(SK)
                          .attributeType(ScalarAttributeType.S)
                          .build())
                  .keySchema(
                      KeySchemaElement.builder().attributeName(PK).keyType(KeyType.HASH).build(),
                      KeySchemaElement.builder().attributeName(SK).keyType(KeyType.RANGE).build()));
    } catch (ResourceInUseException e) {
      // There already (or created by an attempt whose answer was lost): wait until it is usable.
      waitUntilExists(client, table);
      return;
    }
    waitUntilExists(client, table);
    try {
      client.updateTimeToLive(
          request ->
              request
                  .overrideConfiguration(
                      o -> o.apiCallTimeout(SETUP_TIMEOUT).apiCallAttemptTimeout(SETUP_TIMEOUT))
                  .tableName(table)
                  .timeToLiveSpecification(spec -> spec.attributeName("ttl").enabled(true)));
    } catch (AwsServiceException e) {
      log.warn(
          "Could not enable TTL on table {}: {}; expired records are still hidden on read",
          table,
          e.getMessage());
    }
  }

  private static void waitUntilExists(DynamoDbClient client, String table) {
    client
        .waiter()
        .waitUntilTableExists(
            request ->
                request
                    .overrideConfiguration(
                        o -> o.apiCallTimeout(SETUP_TIMEOUT).apiCallAttemptTimeout(SETUP_TIMEOUT))
                    .tableName(table));
  }

  /**
   * What is wrong with the table's TTL, if anything: DynamoDB then never deletes expired records
   * (reads still hide them, but the table grows for ever). Empty if TTL is on {@code ttl}, or if
   * the check itself could not be made for a reason other than a missing permission (an outage is
   * reported by the calls that meet it).
   */
  static Optional<String> ttlProblem(DynamoDbClient client, String table) {
    TimeToLiveDescription ttl;
    try {
      ttl = client.describeTimeToLive(request -> request.tableName(table)).timeToLiveDescription();
    } catch (ResourceNotFoundException e) {
      return Optional.empty();
    } catch (AwsServiceException e) {
      if (e.statusCode() == 400
          && e.awsErrorDetails() != null
          && "AccessDeniedException".equals(e.awsErrorDetails().errorCode())) {
        return Optional.of(
            "cannot check TTL on dynamodb table "
                + table
                + ": the credentials may not call dynamodb:DescribeTimeToLive; grant it (see the"
                + " IAM policy in the state guide) so a table whose TTL is off is noticed");
      }
      log.debug("Could not check TTL on table {}", table, e);
      return Optional.empty();
    } catch (SdkException e) {
      log.debug("Could not check TTL on table {}", table, e);
      return Optional.empty();
    }
    TimeToLiveStatus status = ttl == null ? null : ttl.timeToLiveStatus();
    String attribute = ttl == null ? null : ttl.attributeName();
    boolean on = status == TimeToLiveStatus.ENABLED || status == TimeToLiveStatus.ENABLING;
    if (on && "ttl".equals(attribute)) {
      return Optional.empty();
    }
    return Optional.of(
        "TTL on dynamodb table "
            + table
            + (on
                ? " is on attribute " + attribute + ", not ttl"
                : " is " + (status == null ? "off" : status.toString().toLowerCase(Locale.ROOT)))
            + ": expired records are hidden on read but DynamoDB never deletes them, so the table"
            + " grows without end. Turn it on: aws dynamodb update-time-to-live --table-name "
            + table
            + " --time-to-live-specification Enabled=true,AttributeName=ttl");
  }

  /** Checks the table's TTL and logs one warning if it is not on {@code ttl}. */
  static Optional<String> warnIfTtlIsOff(DynamoDbClient client, String table) {
    Optional<String> problem = ttlProblem(client, table);
    problem.ifPresent(log::warn);
    return problem;
  }
}
