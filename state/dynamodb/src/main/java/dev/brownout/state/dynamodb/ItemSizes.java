package dev.brownout.state.dynamodb;

import static dev.brownout.state.dynamodb.RecordItems.FIELD_PREFIX;

import dev.brownout.state.Namespace;
import dev.brownout.state.Update;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * DynamoDB's 400 KB item limit, counted by the store before it sends anything, so an item that
 * would pass it is refused as {@link dev.brownout.state.RecordTooLargeException} with nothing
 * changed, and the service's own refusal (a message to parse) is never needed.
 *
 * <p>DynamoDB counts an item as the UTF-8 length of every attribute name plus its value (a binary's
 * bytes, a string's UTF-8 length, a number's at most 21 bytes). The store keeps, in each item's
 * {@code sz}, an upper bound of what its fields take ({@code f:<name>} and value): an update adds
 * what it sets, without knowing what it replaces, and the condition of the {@code UpdateItem}
 * checks that the bound plus that stays within the limit. When the bound is too loose to prove it,
 * the store reads the item, computes the exact size, and writes the exact bound back, guarded by
 * the version it read.
 */
final class ItemSizes {
  /** DynamoDB's limit on one item, names and values: 400 KB. */
  static final long ITEM_LIMIT = 400 * 1024;

  /** The attribute that holds the bound on the fields' size. */
  static final String SIZE = "sz";

  /** The most a number takes in DynamoDB's count. */
  private static final int NUMBER = 21;

  private ItemSizes() {}

  /** What a field takes in the item: its attribute name and its value. */
  static long field(String name, byte[] value) {
    return utf8(FIELD_PREFIX + name) + value.length;
  }

  /** What {@code update}'s set fields take in the item, whatever they replace. */
  static long added(Update update) {
    long added = 0;
    for (Map.Entry<String, byte[]> set : update.sets().entrySet()) {
      added += field(set.getKey(), set.getValue());
    }
    return added;
  }

  /**
   * What an item takes besides its fields, at most: its key ({@code pk}, {@code sk}), version,
   * expiry in both forms and size bound.
   */
  static long overhead(Namespace namespace, String key) {
    long total = 0;
    for (Map.Entry<String, AttributeValue> part : RecordItems.key(namespace, key).entrySet()) {
      total += utf8(part.getKey()) + utf8(part.getValue().s());
    }
    return total + "v".length() + "em".length() + "ttl".length() + SIZE.length() + 4L * NUMBER;
  }

  /**
   * The exact size of the record {@code update} makes of {@code current} (null or empty if there is
   * none): the store's measure (names and values) and the bytes its fields take in the item.
   */
  static Exact after(@Nullable Map<String, AttributeValue> current, Update update) {
    Map<String, Long> fields = new HashMap<>();
    Map<String, Long> names = new HashMap<>();
    if (current != null) {
      current.forEach(
          (attribute, value) -> {
            if (attribute.startsWith(FIELD_PREFIX)) {
              String name = attribute.substring(FIELD_PREFIX.length());
              fields.put(name, (long) value.b().asByteArrayUnsafe().length);
              names.put(name, utf8(name));
            }
          });
    }
    update.removes().forEach(fields::remove);
    update
        .sets()
        .forEach(
            (name, value) -> {
              fields.put(name, (long) value.length);
              names.put(name, utf8(name));
            });
    long record = 0;
    long item = 0;
    for (Map.Entry<String, Long> field : fields.entrySet()) {
      long name = names.get(field.getKey());
      record += name + field.getValue();
      item += FIELD_PREFIX.length() + name + field.getValue();
    }
    return new Exact(record, item);
  }

  /**
   * A record's exact size.
   *
   * @param recordBytes field names and values, as every store counts a record
   * @param fieldBytes what the fields take in the item ({@code f:} prefixes included)
   */
  record Exact(long recordBytes, long fieldBytes) {}

  private static long utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }
}
