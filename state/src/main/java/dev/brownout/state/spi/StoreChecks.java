package dev.brownout.state.spi;

import dev.brownout.state.Namespace;
import dev.brownout.state.Precondition;
import dev.brownout.state.StateStore;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Set;

/** Argument checks every store makes before doing anything, so they all reject the same input. */
public final class StoreChecks {
  private StoreChecks() {}

  /** Checks a namespace and key. */
  public static void key(Namespace namespace, String key) {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(key, "key");
    if (key.isEmpty()) {
      throw new IllegalArgumentException("key must not be empty (namespace " + namespace + ")");
    }
    int bytes = key.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > StateStore.MAX_KEY_BYTES) {
      throw new IllegalArgumentException(
          "key must be at most "
              + StateStore.MAX_KEY_BYTES
              + " UTF-8 bytes but has "
              + bytes
              + " (namespace "
              + namespace
              + ")");
    }
  }

  /** Checks the fields of a partial read. */
  public static void fields(Set<String> fields) {
    Objects.requireNonNull(fields, "fields");
    if (fields.isEmpty()) {
      throw new IllegalArgumentException("a partial read must name at least one field");
    }
  }

  /** Checks that a namespace may be listed. */
  public static void listable(Namespace namespace) {
    Objects.requireNonNull(namespace, "namespace");
    if (!namespace.small()) {
      throw new IllegalArgumentException(
          "namespace " + namespace + " is large and cannot be listed; only small namespaces can");
    }
  }

  /** Checks that a namespace may be watched. */
  public static void watchable(Namespace namespace) {
    Objects.requireNonNull(namespace, "namespace");
    if (!namespace.watchable()) {
      throw new IllegalArgumentException(
          "namespace "
              + namespace
              + " is not watchable; declare it small, or large with withWatch()");
    }
  }

  /** Checks a delete's precondition. */
  public static void deletePrecondition(Precondition precondition) {
    Objects.requireNonNull(precondition, "precondition");
    if (precondition.kind() == Precondition.Kind.ABSENT) {
      throw new IllegalArgumentException("a delete cannot require the record to be absent");
    }
  }

  /** A failed precondition's message. */
  public static String preconditionMessage(
      Namespace namespace, String key, Precondition precondition, long current) {
    return "precondition '"
        + precondition
        + "' failed for "
        + namespace
        + "/"
        + key
        + (current < 0 ? ": the record is absent" : ": the record is at version " + current);
  }

  /** A too-large record's message. */
  public static String tooLargeMessage(Namespace namespace, String key, long size, long limit) {
    return "record "
        + namespace
        + "/"
        + key
        + " would be "
        + size
        + " bytes, over the store's limit of "
        + limit
        + " bytes; keep large values elsewhere and store a reference";
  }
}
