package dev.brownout.state.dynamodb;

import static dev.brownout.state.dynamodb.RecordItems.LIVE;
import static dev.brownout.state.dynamodb.RecordItems.PK;
import static dev.brownout.state.dynamodb.RecordItems.expired;
import static dev.brownout.state.dynamodb.RecordItems.n;

import dev.brownout.core.time.BrownoutClock;
import dev.brownout.state.Namespace;
import dev.brownout.state.Precondition;
import dev.brownout.state.PreconditionFailedException;
import dev.brownout.state.RecordTooLargeException;
import dev.brownout.state.StateUnavailableException;
import dev.brownout.state.Update;
import dev.brownout.state.WriteResult;
import dev.brownout.state.spi.StoreChecks;
import java.time.Instant;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * The store's writes, each a conditional {@code UpdateItem} or {@code DeleteItem}, and what a
 * failed condition means. DynamoDB keeps expired items until its TTL gets to them, so a condition
 * can fail on an item that is already absent to the store: an update then removes that item and
 * tries again, rather than merging with its fields. A successful change bumps the namespace's
 * revision, for watchers.
 */
final class ConditionalWrites {
  private static final int ATTEMPTS = 4;

  private final TableClient table;
  private final ConsistentReads reads;
  private final RevisionWatchers watchers;
  private final BrownoutClock clock;
  private final long maxRecordBytes;

  ConditionalWrites(
      TableClient table,
      ConsistentReads reads,
      RevisionWatchers watchers,
      BrownoutClock clock,
      long maxRecordBytes) {
    this.table = table;
    this.reads = reads;
    this.watchers = watchers;
    this.clock = clock;
    this.maxRecordBytes = maxRecordBytes;
  }

  /**
   * Applies {@code update}, already checked against the limit as far as the client can tell from
   * the update alone. The item's size bound decides the rest before DynamoDB does ({@link
   * ItemSizes}): a write that would take the record past the store's limit, or the item past
   * DynamoDB's 400 KB, is refused with nothing changed.
   */
  WriteResult update(Namespace namespace, String key, Update update) {
    Precondition precondition = update.precondition();
    long added = ItemSizes.added(update);
    long overhead = ItemSizes.overhead(namespace, key);
    long budget = Math.min(maxRecordBytes, ItemSizes.ITEM_LIMIT - overhead) - added;
    // The item as last seen, once the bound was not enough: the next write is sized exactly.
    Map<String, AttributeValue> measured = null;
    boolean exact = budget < 0;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      Instant now = clock.instant();
      long nowMillis = now.toEpochMilli();
      // A new record's version is the clock in microseconds, so a record deleted and created again
      // does not reuse a version a stale writer may still hold.
      long initial = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000 - 1;
      UpdateExpressions.Sizing sizing;
      if (exact) {
        if (measured == null) {
          measured = reads.currentItem(namespace, key);
          measured = measured == null ? Map.of() : measured;
        }
        if (!measured.isEmpty() && expired(measured, nowMillis)) {
          if (precondition.kind() == Precondition.Kind.PRESENT
              || precondition.kind() == Precondition.Kind.VERSION_EQUALS) {
            throw new PreconditionFailedException(
                StoreChecks.preconditionMessage(namespace, key, precondition, -1), -1);
          }
          removeExpired(namespace, key, measured, nowMillis);
          measured = Map.of();
        }
        sizing = exactly(namespace, key, update, measured, overhead);
      } else {
        sizing = new UpdateExpressions.Sizing.Bounded(added, budget);
      }
      UpdateItemRequest request =
          UpdateExpressions.request(
              table.name(), namespace, key, update, initial, nowMillis, sizing);
      Map<String, AttributeValue> current;
      try {
        UpdateItemResponse response =
            table.call("update", namespace, key, () -> table.client().updateItem(request));
        Map<String, AttributeValue> old = response.attributes();
        boolean created = old == null || !old.containsKey("v");
        long version = created ? initial + 1 : Long.parseLong(old.get("v").n()) + 1;
        watchers.changed(namespace);
        return new WriteResult(version, created);
      } catch (ConditionalCheckFailedException e) {
        current = e.hasItem() ? e.item() : reads.currentItem(namespace, key);
      }
      boolean exists = current != null && !current.isEmpty();
      if (exists && expired(current, nowMillis)) {
        if (precondition.kind() == Precondition.Kind.PRESENT
            || precondition.kind() == Precondition.Kind.VERSION_EQUALS) {
          throw new PreconditionFailedException(
              StoreChecks.preconditionMessage(namespace, key, precondition, -1), -1);
        }
        removeExpired(namespace, key, current, nowMillis);
        measured = exact ? Map.of() : null;
        continue;
      }
      long version = exists ? Long.parseLong(current.get("v").n()) : -1;
      boolean holds =
          switch (precondition.kind()) {
            case NONE -> true;
            case ABSENT -> !exists;
            case PRESENT -> exists;
            case VERSION_EQUALS -> exists && version == precondition.version();
          };
      if (!holds) {
        throw new PreconditionFailedException(
            StoreChecks.preconditionMessage(namespace, key, precondition, version), version);
      }
      // The precondition holds: the size bound was not enough to prove the write fits, or the
      // item changed under an exact write. Measure it as it is now, and size the next try exactly.
      exact = true;
      measured = exists ? current : Map.of();
    }
    throw new StateUnavailableException(
        "dynamodb table "
            + table.name()
            + ": update of "
            + namespace
            + "/"
            + key
            + " kept racing with other writers; try again",
        null);
  }

  /**
   * The exact size of the record {@code update} makes of {@code measured}, refused if it passes the
   * store's limit or the item DynamoDB's.
   */
  private UpdateExpressions.Sizing exactly(
      Namespace namespace,
      String key,
      Update update,
      Map<String, AttributeValue> measured,
      long overhead) {
    ItemSizes.Exact size = ItemSizes.after(measured, update);
    if (size.recordBytes() > maxRecordBytes) {
      throw new RecordTooLargeException(
          StoreChecks.tooLargeMessage(namespace, key, size.recordBytes(), maxRecordBytes),
          size.recordBytes(),
          maxRecordBytes);
    }
    long item = size.fieldBytes() + overhead;
    if (item > ItemSizes.ITEM_LIMIT) {
      throw new RecordTooLargeException(
          "record "
              + namespace
              + "/"
              + key
              + " would take "
              + item
              + " bytes as a DynamoDB item (field names with their f: prefix, values, key and"
              + " bookkeeping), past DynamoDB's limit of "
              + ItemSizes.ITEM_LIMIT
              + " bytes per item; nothing was changed. Keep records smaller, or split them",
          size.recordBytes(),
          maxRecordBytes);
    }
    long seen = measured.isEmpty() ? -1 : Long.parseLong(measured.get("v").n());
    return new UpdateExpressions.Sizing.Exact(size.fieldBytes(), seen);
  }

  /** Deletes an item that has expired but that DynamoDB has not removed yet, unless it changed. */
  private void removeExpired(
      Namespace namespace, String key, Map<String, AttributeValue> item, long nowMillis) {
    try {
      table.call(
          "update",
          namespace,
          key,
          () ->
              table
                  .client()
                  .deleteItem(
                      DeleteItemRequest.builder()
                          .tableName(table.name())
                          .key(RecordItems.key(namespace, key))
                          .conditionExpression("#v = :v AND #em <= :now")
                          .expressionAttributeNames(Map.of("#v", "v", "#em", "em"))
                          .expressionAttributeValues(
                              Map.of(":v", item.get("v"), ":now", n(nowMillis)))
                          .build()));
    } catch (ConditionalCheckFailedException e) {
      // Someone else replaced or removed it first.
    }
  }

  /** Deletes the record if {@code precondition} holds; whether there was a live one. */
  boolean delete(Namespace namespace, String key, Precondition precondition) {
    long nowMillis = clock.millis();
    DeleteItemRequest.Builder request =
        DeleteItemRequest.builder()
            .tableName(table.name())
            .key(RecordItems.key(namespace, key))
            .returnValues(ReturnValue.ALL_OLD)
            .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD);
    switch (precondition.kind()) {
      case PRESENT ->
          request
              .conditionExpression("attribute_exists(#pk) AND " + LIVE)
              .expressionAttributeNames(Map.of("#pk", PK, "#em", "em"))
              .expressionAttributeValues(Map.of(":now", n(nowMillis)));
      case VERSION_EQUALS ->
          request
              .conditionExpression("#v = :expected AND " + LIVE)
              .expressionAttributeNames(Map.of("#v", "v", "#em", "em"))
              .expressionAttributeValues(
                  Map.of(":now", n(nowMillis), ":expected", n(precondition.version())));
      default -> {}
    }
    DeleteItemResponse response;
    try {
      response =
          table.call("delete", namespace, key, () -> table.client().deleteItem(request.build()));
    } catch (ConditionalCheckFailedException e) {
      Map<String, AttributeValue> current =
          e.hasItem() ? e.item() : reads.currentItem(namespace, key);
      long version =
          current == null || current.isEmpty() || expired(current, nowMillis)
              ? -1
              : Long.parseLong(current.get("v").n());
      throw new PreconditionFailedException(
          StoreChecks.preconditionMessage(namespace, key, precondition, version), version);
    }
    Map<String, AttributeValue> old = response.attributes();
    boolean deleted = old != null && !old.isEmpty() && !expired(old, nowMillis);
    if (deleted) {
      watchers.changed(namespace);
    }
    return deleted;
  }
}
