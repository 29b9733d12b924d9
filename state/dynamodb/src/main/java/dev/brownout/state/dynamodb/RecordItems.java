package dev.brownout.state.dynamodb;

import dev.brownout.state.Namespace;
import dev.brownout.state.StateRecord;
import dev.brownout.state.spi.RecordFields;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A record as a DynamoDB item, and how to read it back: where the item lives ({@code pk}, {@code
 * sk}), {@code v} the version, {@code em} the expiry in epoch milliseconds, {@code ttl} the same in
 * seconds for DynamoDB's own TTL, and {@code f:<name>} each field, binary. The prefix keeps a
 * field's name from ever meeting the store's own attributes.
 */
final class RecordItems {
  static final String PK = "pk";
  static final String SK = "sk";
  static final String FIELD_PREFIX = "f:";

  /**
   * The condition that an item has not expired by this client's clock ({@code :now}): DynamoDB
   * deletes expired items up to days late, so the store cannot wait for it.
   */
  static final String LIVE = "(attribute_not_exists(#em) OR #em > :now)";

  private RecordItems() {}

  /**
   * The item key of a record: a small namespace is one partition, so it can be listed with one
   * query; a large one spreads a partition per record.
   */
  static Map<String, AttributeValue> key(Namespace namespace, String key) {
    return namespace.small()
        ? Map.of(PK, s(namespace.name()), SK, s(key))
        : Map.of(PK, s(namespace.name() + "#" + key), SK, s("#"));
  }

  /** The item key of a namespace's revision, which watchers poll. */
  static Map<String, AttributeValue> revisionKey(Namespace namespace) {
    return Map.of(PK, s("#rev#" + namespace.name()), SK, s("#"));
  }

  static AttributeValue s(String text) {
    return AttributeValue.fromS(text);
  }

  static AttributeValue n(long number) {
    return AttributeValue.fromN(Long.toString(number));
  }

  static boolean expired(Map<String, AttributeValue> item, long nowMillis) {
    AttributeValue em = item.get("em");
    return em != null && Long.parseLong(em.n()) <= nowMillis;
  }

  /** The record in {@code item}; empty if there is none, or if it has expired. */
  static Optional<StateRecord> toRecord(
      String key, @Nullable Map<String, AttributeValue> item, long nowMillis) {
    if (item == null || item.isEmpty() || !item.containsKey("v") || expired(item, nowMillis)) {
      return Optional.empty();
    }
    Map<String, byte[]> fields = new LinkedHashMap<>();
    item.forEach(
        (name, value) -> {
          if (name.startsWith(FIELD_PREFIX)) {
            fields.put(name.substring(FIELD_PREFIX.length()), value.b().asByteArray());
          }
        });
    AttributeValue em = item.get("em");
    Instant expiresAt = em == null ? null : Instant.ofEpochMilli(Long.parseLong(em.n()));
    // asByteArray() copies: the record can keep the arrays.
    return Optional.of(
        new StateRecord(
            key, RecordFields.adopt(fields), Long.parseLong(item.get("v").n()), expiresAt));
  }
}
