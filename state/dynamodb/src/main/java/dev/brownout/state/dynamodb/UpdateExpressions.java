package dev.brownout.state.dynamodb;

import static dev.brownout.state.dynamodb.RecordItems.FIELD_PREFIX;
import static dev.brownout.state.dynamodb.RecordItems.LIVE;
import static dev.brownout.state.dynamodb.RecordItems.PK;
import static dev.brownout.state.dynamodb.RecordItems.n;

import dev.brownout.state.Namespace;
import dev.brownout.state.Precondition;
import dev.brownout.state.Update;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * An {@link Update} as one conditional {@code UpdateItem}: the update expression that sets and
 * removes fields, moves the expiry and bumps the version, and the condition that checks the
 * precondition against a live item. Field names travel as placeholders, so any name is safe.
 */
final class UpdateExpressions {
  private UpdateExpressions() {}

  /** How an update keeps the item's size bound ({@link ItemSizes}). */
  sealed interface Sizing {
    /**
     * Adds {@code added} to the bound, on condition that the bound is at most {@code budget} now
     * (so the item stays within the limits), or that there is no item yet.
     */
    record Bounded(long added, long budget) implements Sizing {}

    /**
     * Sets the bound to the exact {@code fieldBytes}, on condition that the item is still the one
     * measured: at version {@code seen}, or absent if {@code seen} is negative.
     */
    record Exact(long fieldBytes, long seen) implements Sizing {}
  }

  /**
   * The request for {@code update}; a new record gets the version {@code initial + 1}, and items
   * whose expiry is at or before {@code nowMillis} count as absent.
   */
  static UpdateItemRequest request(
      String table,
      Namespace namespace,
      String key,
      Update update,
      long initial,
      long nowMillis,
      Sizing sizing) {
    Map<String, String> names = new HashMap<>();
    Map<String, AttributeValue> values = new HashMap<>();
    names.put("#pk", PK);
    names.put("#v", "v");
    names.put("#em", "em");
    values.put(":one", n(1));
    values.put(":init", n(initial));
    values.put(":now", n(nowMillis));
    List<String> sets = new ArrayList<>();
    List<String> removes = new ArrayList<>();
    sets.add("#v = if_not_exists(#v, :init) + :one");
    int i = 0;
    for (Map.Entry<String, byte[]> field : update.sets().entrySet()) {
      names.put("#f" + i, FIELD_PREFIX + field.getKey());
      values.put(":f" + i, AttributeValue.fromB(SdkBytes.fromByteArrayUnsafe(field.getValue())));
      sets.add("#f" + i + " = :f" + i);
      i++;
    }
    for (String field : update.removes()) {
      names.put("#f" + i, FIELD_PREFIX + field);
      removes.add("#f" + i);
      i++;
    }
    switch (update.expiryChange()) {
      case SET -> {
        names.put("#ttl", "ttl");
        values.put(":em", n(update.expiresAt().toEpochMilli()));
        values.put(":ttl", n(update.expiresAt().getEpochSecond() + 1));
        sets.add("#em = :em");
        sets.add("#ttl = :ttl");
      }
      case PERSIST -> {
        names.put("#ttl", "ttl");
        removes.add("#em");
        removes.add("#ttl");
      }
      case KEEP -> {}
    }
    Precondition precondition = update.precondition();
    String condition =
        switch (precondition.kind()) {
          case NONE -> "attribute_not_exists(#pk) OR " + LIVE;
          case ABSENT -> "attribute_not_exists(#pk)";
          case PRESENT -> "attribute_exists(#pk) AND " + LIVE;
          case VERSION_EQUALS -> "#v = :expected AND " + LIVE;
        };
    if (precondition.kind() == Precondition.Kind.VERSION_EQUALS) {
      values.put(":expected", n(precondition.version()));
    }
    names.put("#sz", ItemSizes.SIZE);
    if (sizing instanceof Sizing.Bounded bounded) {
      values.put(":zero", n(0));
      values.put(":added", n(bounded.added()));
      values.put(":budget", n(bounded.budget()));
      sets.add("#sz = if_not_exists(#sz, :zero) + :added");
      condition = "(" + condition + ") AND (attribute_not_exists(#v) OR #sz <= :budget)";
    } else if (sizing instanceof Sizing.Exact exact) {
      values.put(":sz", n(exact.fieldBytes()));
      sets.add("#sz = :sz");
      if (exact.seen() < 0) {
        condition = "(" + condition + ") AND attribute_not_exists(#pk)";
      } else {
        values.put(":seen", n(exact.seen()));
        condition = "(" + condition + ") AND #v = :seen";
      }
    }
    String expression =
        "SET "
            + String.join(", ", sets)
            + (removes.isEmpty() ? "" : " REMOVE " + String.join(", ", removes));
    return UpdateItemRequest.builder()
        .tableName(table)
        .key(RecordItems.key(namespace, key))
        .updateExpression(expression)
        .conditionExpression(condition)
        .expressionAttributeNames(used(names, expression + " " + condition))
        .expressionAttributeValues(used(values, expression + " " + condition))
        .returnValues(ReturnValue.UPDATED_OLD)
        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
        .build();
  }

  /** Only the placeholders an expression uses: DynamoDB rejects the others. */
  private static <V> Map<String, V> used(Map<String, V> placeholders, String expressions) {
    Map<String, V> used = new HashMap<>();
    placeholders.forEach(
        (token, value) -> {
          if (Pattern.compile(Pattern.quote(token) + "(?![A-Za-z0-9_])")
              .matcher(expressions)
              .find()) {
            used.put(token, value);
          }
        });
    return used;
  }
}
