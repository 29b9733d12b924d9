package dev.brownout.state.dynamodb;

import static dev.brownout.state.dynamodb.RecordItems.FIELD_PREFIX;
import static dev.brownout.state.dynamodb.RecordItems.PK;
import static dev.brownout.state.dynamodb.RecordItems.SK;
import static dev.brownout.state.dynamodb.RecordItems.s;

import dev.brownout.core.time.BrownoutClock;
import dev.brownout.state.Namespace;
import dev.brownout.state.StateRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * The store's reads, all strongly consistent: a record, some of its fields, a small namespace's
 * records, and the raw item that the writes look at when a condition fails. An expired item reads
 * as absent, whatever DynamoDB has not deleted yet.
 */
final class ConsistentReads {
  private final TableClient table;
  private final BrownoutClock clock;

  ConsistentReads(TableClient table, BrownoutClock clock) {
    this.table = table;
    this.clock = clock;
  }

  Optional<StateRecord> read(Namespace namespace, String key) {
    Map<String, AttributeValue> item =
        table.call(
            "read",
            namespace,
            key,
            () ->
                table
                    .client()
                    .getItem(
                        GetItemRequest.builder()
                            .tableName(table.name())
                            .key(RecordItems.key(namespace, key))
                            .consistentRead(true)
                            .build())
                    .item());
    return RecordItems.toRecord(key, item, clock.millis());
  }

  /** The record with only {@code fields}, by a projection, so the rest never leaves DynamoDB. */
  Optional<StateRecord> read(Namespace namespace, String key, Set<String> fields) {
    Map<String, String> names = new HashMap<>();
    names.put("#v", "v");
    names.put("#em", "em");
    StringBuilder projection = new StringBuilder("#v, #em");
    int i = 0;
    for (String field : fields) {
      names.put("#f" + i, FIELD_PREFIX + field);
      projection.append(", #f").append(i++);
    }
    Map<String, AttributeValue> item =
        table.call(
            "read",
            namespace,
            key,
            () ->
                table
                    .client()
                    .getItem(
                        GetItemRequest.builder()
                            .tableName(table.name())
                            .key(RecordItems.key(namespace, key))
                            .consistentRead(true)
                            .projectionExpression(projection.toString())
                            .expressionAttributeNames(names)
                            .build())
                    .item());
    return RecordItems.toRecord(key, item, clock.millis());
  }

  /** The live records of a small namespace: one query of its partition, page by page. */
  List<StateRecord> list(Namespace namespace) {
    long nowMillis = clock.millis();
    List<StateRecord> records = new ArrayList<>();
    Map<String, AttributeValue> start = null;
    do {
      QueryRequest.Builder request =
          QueryRequest.builder()
              .tableName(table.name())
              .keyConditionExpression("#pk = :pk")
              .expressionAttributeNames(Map.of("#pk", PK))
              .expressionAttributeValues(Map.of(":pk", s(namespace.name())))
              .consistentRead(true);
      if (start != null) {
        request.exclusiveStartKey(start);
      }
      QueryResponse response =
          table.call("list", namespace, "*", () -> table.client().query(request.build()));
      for (Map<String, AttributeValue> item : response.items()) {
        RecordItems.toRecord(item.get(SK).s(), item, nowMillis).ifPresent(records::add);
      }
      start =
          response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
              ? response.lastEvaluatedKey()
              : null;
    } while (start != null);
    return records;
  }

  /**
   * The item as it is, expired or not, for a write whose condition failed without DynamoDB
   * returning it. A failure of this read is reported as one of an update, for a delete too.
   */
  @Nullable Map<String, AttributeValue> currentItem(Namespace namespace, String key) {
    return table.call(
        "update",
        namespace,
        key,
        () ->
            table
                .client()
                .getItem(
                    GetItemRequest.builder()
                        .tableName(table.name())
                        .key(RecordItems.key(namespace, key))
                        .consistentRead(true)
                        .build())
                .item());
  }
}
