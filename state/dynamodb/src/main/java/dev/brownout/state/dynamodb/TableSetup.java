package dev.brownout.state.dynamodb;

import static dev.brownout.state.dynamodb.RecordItems.PK;
import static dev.brownout.state.dynamodb.RecordItems.SK;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** Creates the store's table, for {@link DynamoDbStateStore#createTable}. */
final class TableSetup {
  // The store's logger, not this class's: the store is what operators set log levels for.
  private static final Logger log = LoggerFactory.getLogger(DynamoDbStateStore.class);

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
      return;
    }
    client.waiter().waitUntilTableExists(request -> request.tableName(table));
    try {
      client.updateTimeToLive(
          request ->
              request
                  .tableName(table)
                  .timeToLiveSpecification(spec -> spec.attributeName("ttl").enabled(true)));
    } catch (AwsServiceException e) {
      log.warn(
          "Could not enable TTL on table {}: {}; expired records are still hidden on read",
          table,
          e.getMessage());
    }
  }
}
