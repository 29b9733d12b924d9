package dev.brownout.state.dynamodb;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.config.Settings;
import dev.brownout.core.internal.DaemonThreads;
import dev.brownout.core.time.BrownoutClock;
import dev.brownout.state.ChangeEvent;
import dev.brownout.state.Namespace;
import dev.brownout.state.Precondition;
import dev.brownout.state.PreconditionFailedException;
import dev.brownout.state.RecordTooLargeException;
import dev.brownout.state.StateException;
import dev.brownout.state.StateRecord;
import dev.brownout.state.StateStore;
import dev.brownout.state.StateThrottledException;
import dev.brownout.state.StateUnavailableException;
import dev.brownout.state.Update;
import dev.brownout.state.Watch;
import dev.brownout.state.WatchListener;
import dev.brownout.state.WriteResult;
import dev.brownout.state.spi.RecordFields;
import dev.brownout.state.spi.StoreChecks;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * A {@link StateStore} on DynamoDB, through the AWS SDK v2's synchronous client on the JDK's URL
 * connection (no Netty).
 *
 * <p>Table layout: partition key {@code pk} and sort key {@code sk}, both strings; TTL on {@code
 * ttl}. {@link #createTable(DynamoDbClient, String)} creates it.
 *
 * <ul>
 *   <li>a record of a small namespace {@code flags} is the item {@code pk = "flags", sk = <key>}:
 *       the namespace is one partition, listed with one {@code Query};
 *   <li>a record of a large namespace {@code sessions} is {@code pk = "sessions#<key>", sk = "#"}:
 *       spread across partitions, point operations only;
 *   <li>each item has {@code v} (version), {@code em} (expiry, epoch milliseconds), {@code ttl}
 *       (expiry, epoch seconds, for DynamoDB's own TTL) and {@code f:<name>} (each field, binary);
 *   <li>{@code pk = "#rev#<namespace>"} holds the revision of a small namespace, bumped after each
 *       change, which watchers poll.
 * </ul>
 *
 * <p>An update is one conditional {@code UpdateItem}; reads are strongly consistent. DynamoDB
 * deletes expired items up to days late, so every operation treats an item whose {@code em} has
 * passed (by this client's clock) as absent, and a write replaces such an item rather than merging
 * with it. Updates larger than the limit are refused before the call; a record that grows past
 * DynamoDB's own 400 KB is reported as {@link RecordTooLargeException} too. Throttling is retried
 * by the SDK, then surfaced as {@link StateThrottledException}. Every call, retries included, is
 * bounded by the timeout.
 */
public final class DynamoDbStateStore implements StateStore {
  private static final Logger log = LoggerFactory.getLogger(DynamoDbStateStore.class);
  private static final String PK = "pk";
  private static final String SK = "sk";
  private static final String FIELD_PREFIX = "f:";
  private static final String LIVE = "(attribute_not_exists(#em) OR #em > :now)";
  private static final Duration FULL_RESYNC = Duration.ofSeconds(30);

  private final DynamoDbClient client;
  private final boolean ownsClient;
  private final String table;
  private final BrownoutClock clock;
  private final long maxRecordBytes;
  private final Duration timeout;
  private final Duration pollInterval;
  private final ScheduledExecutorService poller;
  private final ConcurrentHashMap<String, Poller> pollers = new ConcurrentHashMap<>();

  private DynamoDbStateStore(Builder builder, DynamoDbClient client, boolean ownsClient) {
    this.client = client;
    this.ownsClient = ownsClient;
    this.table = builder.resolvedTable();
    this.clock = builder.clock;
    this.maxRecordBytes = builder.maxRecordBytes;
    this.timeout = builder.resolvedTimeout();
    this.pollInterval = builder.resolvedPollInterval();
    this.poller =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("brownout-dynamodb-watch"));
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** A store as {@code brownout.state.dynamodb.*} configures it. The table must exist. */
  public static DynamoDbStateStore connect(BrownoutConfig config) {
    return builder().config(config).build();
  }

  /**
   * Creates the table if it does not exist (on-demand capacity, TTL on {@code ttl}) and waits until
   * it is active. For development and tests; production tables usually come from infrastructure
   * code, with the same layout.
   */
  public static void createTable(DynamoDbClient client, String table) {
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

  /** The client, for {@link #createTable(DynamoDbClient, String)} and diagnostics. */
  public DynamoDbClient client() {
    return client;
  }

  @Override
  public String kind() {
    return "dynamodb";
  }

  @Override
  public long maxRecordBytes() {
    return maxRecordBytes;
  }

  // --- keys and items

  private static Map<String, AttributeValue> key(Namespace namespace, String key) {
    return namespace.small()
        ? Map.of(PK, s(namespace.name()), SK, s(key))
        : Map.of(PK, s(namespace.name() + "#" + key), SK, s("#"));
  }

  private static Map<String, AttributeValue> revisionKey(Namespace namespace) {
    return Map.of(PK, s("#rev#" + namespace.name()), SK, s("#"));
  }

  private static AttributeValue s(String text) {
    return AttributeValue.fromS(text);
  }

  private static AttributeValue n(long number) {
    return AttributeValue.fromN(Long.toString(number));
  }

  private static boolean expired(Map<String, AttributeValue> item, long nowMillis) {
    AttributeValue em = item.get("em");
    return em != null && Long.parseLong(em.n()) <= nowMillis;
  }

  private static Optional<StateRecord> toRecord(
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

  // --- operations

  @Override
  public Optional<StateRecord> read(Namespace namespace, String key) {
    StoreChecks.key(namespace, key);
    Map<String, AttributeValue> item =
        call(
            "read",
            namespace,
            key,
            () ->
                client
                    .getItem(
                        GetItemRequest.builder()
                            .tableName(table)
                            .key(key(namespace, key))
                            .consistentRead(true)
                            .build())
                    .item());
    return toRecord(key, item, clock.millis());
  }

  @Override
  public Optional<StateRecord> read(Namespace namespace, String key, Set<String> fields) {
    StoreChecks.key(namespace, key);
    StoreChecks.fields(fields);
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
        call(
            "read",
            namespace,
            key,
            () ->
                client
                    .getItem(
                        GetItemRequest.builder()
                            .tableName(table)
                            .key(key(namespace, key))
                            .consistentRead(true)
                            .projectionExpression(projection.toString())
                            .expressionAttributeNames(names)
                            .build())
                    .item());
    return toRecord(key, item, clock.millis());
  }

  @Override
  public WriteResult update(Namespace namespace, String key, Update update) {
    StoreChecks.key(namespace, key);
    Objects.requireNonNull(update, "update");
    if (update.size() > maxRecordBytes) {
      throw new RecordTooLargeException(
          StoreChecks.tooLargeMessage(namespace, key, update.size(), maxRecordBytes),
          update.size(),
          maxRecordBytes);
    }
    for (int attempt = 0; attempt < 3; attempt++) {
      Instant now = clock.instant();
      long nowMillis = now.toEpochMilli();
      long initial = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000 - 1;
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
      String expression =
          "SET "
              + String.join(", ", sets)
              + (removes.isEmpty() ? "" : " REMOVE " + String.join(", ", removes));
      UpdateItemRequest request =
          UpdateItemRequest.builder()
              .tableName(table)
              .key(key(namespace, key))
              .updateExpression(expression)
              .conditionExpression(condition)
              .expressionAttributeNames(used(names, expression + " " + condition))
              .expressionAttributeValues(used(values, expression + " " + condition))
              .returnValues(ReturnValue.UPDATED_OLD)
              .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
              .build();
      Map<String, AttributeValue> current;
      try {
        UpdateItemResponse response =
            call("update", namespace, key, () -> client.updateItem(request));
        Map<String, AttributeValue> old = response.attributes();
        boolean created = old == null || !old.containsKey("v");
        long version = created ? initial + 1 : Long.parseLong(old.get("v").n()) + 1;
        changed(namespace);
        return new WriteResult(version, created);
      } catch (ConditionalCheckFailedException e) {
        current = e.hasItem() ? e.item() : currentItem(namespace, key);
      } catch (StateUnavailableException e) {
        if (e.getCause() instanceof AwsServiceException service && tooLarge(service)) {
          throw new RecordTooLargeException(
              StoreChecks.tooLargeMessage(namespace, key, maxRecordBytes + 1, maxRecordBytes)
                  + " (DynamoDB: "
                  + service.awsErrorDetails().errorMessage()
                  + ")",
              maxRecordBytes + 1,
              maxRecordBytes);
        }
        throw e;
      }
      boolean exists = current != null && !current.isEmpty();
      if (exists && expired(current, nowMillis)) {
        if (precondition.kind() == Precondition.Kind.PRESENT
            || precondition.kind() == Precondition.Kind.VERSION_EQUALS) {
          throw new PreconditionFailedException(
              StoreChecks.preconditionMessage(namespace, key, precondition, -1), -1);
        }
        removeExpired(namespace, key, current, nowMillis);
        continue;
      }
      if (!exists
          && (precondition.kind() == Precondition.Kind.NONE
              || precondition.kind() == Precondition.Kind.ABSENT)) {
        continue;
      }
      long version = exists ? Long.parseLong(current.get("v").n()) : -1;
      throw new PreconditionFailedException(
          StoreChecks.preconditionMessage(namespace, key, precondition, version), version);
    }
    throw new StateUnavailableException(
        "dynamodb table "
            + table
            + ": update of "
            + namespace
            + "/"
            + key
            + " kept racing with other writers; try again",
        null);
  }

  /** Only the placeholders an expression uses: DynamoDB rejects the others. */
  private static <V> Map<String, V> used(Map<String, V> placeholders, String expressions) {
    Map<String, V> used = new HashMap<>();
    placeholders.forEach(
        (token, value) -> {
          if (java.util.regex.Pattern.compile(
                  java.util.regex.Pattern.quote(token) + "(?![A-Za-z0-9_])")
              .matcher(expressions)
              .find()) {
            used.put(token, value);
          }
        });
    return used;
  }

  private @Nullable Map<String, AttributeValue> currentItem(Namespace namespace, String key) {
    return call(
        "update",
        namespace,
        key,
        () ->
            client
                .getItem(
                    GetItemRequest.builder()
                        .tableName(table)
                        .key(key(namespace, key))
                        .consistentRead(true)
                        .build())
                .item());
  }

  /** Deletes an item that has expired but that DynamoDB has not removed yet, unless it changed. */
  private void removeExpired(
      Namespace namespace, String key, Map<String, AttributeValue> item, long nowMillis) {
    try {
      call(
          "update",
          namespace,
          key,
          () ->
              client.deleteItem(
                  DeleteItemRequest.builder()
                      .tableName(table)
                      .key(key(namespace, key))
                      .conditionExpression("#v = :v AND #em <= :now")
                      .expressionAttributeNames(Map.of("#v", "v", "#em", "em"))
                      .expressionAttributeValues(Map.of(":v", item.get("v"), ":now", n(nowMillis)))
                      .build()));
    } catch (ConditionalCheckFailedException e) {
      // Someone else replaced or removed it first.
    }
  }

  private static boolean tooLarge(AwsServiceException e) {
    String message =
        e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
    return message != null && message.contains("size") && message.contains("exceeded");
  }

  @Override
  public boolean delete(Namespace namespace, String key, Precondition precondition) {
    StoreChecks.key(namespace, key);
    StoreChecks.deletePrecondition(precondition);
    long nowMillis = clock.millis();
    DeleteItemRequest.Builder request =
        DeleteItemRequest.builder()
            .tableName(table)
            .key(key(namespace, key))
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
      response = call("delete", namespace, key, () -> client.deleteItem(request.build()));
    } catch (ConditionalCheckFailedException e) {
      Map<String, AttributeValue> current = e.hasItem() ? e.item() : currentItem(namespace, key);
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
      changed(namespace);
    }
    return deleted;
  }

  @Override
  public List<StateRecord> list(Namespace namespace) {
    StoreChecks.listable(namespace);
    long nowMillis = clock.millis();
    List<StateRecord> records = new ArrayList<>();
    Map<String, AttributeValue> start = null;
    do {
      QueryRequest.Builder request =
          QueryRequest.builder()
              .tableName(table)
              .keyConditionExpression("#pk = :pk")
              .expressionAttributeNames(Map.of("#pk", PK))
              .expressionAttributeValues(Map.of(":pk", s(namespace.name())))
              .consistentRead(true);
      if (start != null) {
        request.exclusiveStartKey(start);
      }
      QueryResponse response = call("list", namespace, "*", () -> client.query(request.build()));
      for (Map<String, AttributeValue> item : response.items()) {
        toRecord(item.get(SK).s(), item, nowMillis).ifPresent(records::add);
      }
      start =
          response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
              ? response.lastEvaluatedKey()
              : null;
    } while (start != null);
    return records;
  }

  private <T> T call(String operation, Namespace namespace, String key, Supplier<T> request) {
    try {
      return request.get();
    } catch (ConditionalCheckFailedException e) {
      throw e;
    } catch (ResourceNotFoundException e) {
      throw new StateUnavailableException(
          "dynamodb table "
              + table
              + " does not exist ("
              + operation
              + " "
              + namespace
              + "/"
              + key
              + "); create it with DynamoDbStateStore.createTable",
          e);
    } catch (AwsServiceException e) {
      if (e.isThrottlingException()) {
        throw new StateThrottledException(
            "dynamodb table "
                + table
                + " throttled "
                + operation
                + " of "
                + namespace
                + "/"
                + key
                + " after the SDK's retries",
            e);
      }
      throw new StateUnavailableException(
          "dynamodb table "
              + table
              + " failed to "
              + operation
              + " "
              + namespace
              + "/"
              + key
              + ": "
              + e.getMessage(),
          e);
    } catch (SdkException e) {
      throw new StateUnavailableException(
          "dynamodb table "
              + table
              + " did not "
              + operation
              + " "
              + namespace
              + "/"
              + key
              + " within "
              + timeout
              + ": "
              + e.getMessage(),
          e);
    }
  }

  // --- watching, by polling each small namespace's revision

  private void changed(Namespace namespace) {
    if (!namespace.small()) {
      return;
    }
    try {
      call(
          "watch",
          namespace,
          "#rev",
          () ->
              client.updateItem(
                  UpdateItemRequest.builder()
                      .tableName(table)
                      .key(revisionKey(namespace))
                      .updateExpression("ADD #r :one")
                      .expressionAttributeNames(Map.of("#r", "rev"))
                      .expressionAttributeValues(Map.of(":one", n(1)))
                      .build()));
    } catch (StateException e) {
      // Watchers also compare the whole namespace every FULL_RESYNC, so the change is not lost.
      log.debug("Could not bump the revision of namespace {}", namespace, e);
    }
  }

  private long revision(Namespace namespace) {
    Map<String, AttributeValue> item =
        call(
            "watch",
            namespace,
            "#rev",
            () ->
                client
                    .getItem(
                        GetItemRequest.builder()
                            .tableName(table)
                            .key(revisionKey(namespace))
                            .consistentRead(true)
                            .build())
                    .item());
    return item == null || !item.containsKey("rev") ? 0 : Long.parseLong(item.get("rev").n());
  }

  @Override
  public Watch watch(Namespace namespace, WatchListener listener) {
    StoreChecks.watchable(namespace);
    Objects.requireNonNull(listener, "listener");
    if (!namespace.small()) {
      throw new IllegalArgumentException(
          "the dynamodb store watches small namespaces only; "
              + namespace
              + " is large (watching it would need DynamoDB Streams)");
    }
    Poller watcher;
    synchronized (pollers) {
      watcher = pollers.get(namespace.name());
      if (watcher == null) {
        watcher = new Poller(namespace);
        pollers.put(namespace.name(), watcher);
        watcher.schedule();
      }
      watcher.listeners.add(listener);
    }
    Poller registered = watcher;
    return () -> {
      synchronized (pollers) {
        registered.listeners.remove(listener);
        if (registered.listeners.isEmpty()) {
          registered.stopped = true;
          pollers.remove(namespace.name(), registered);
        }
      }
    };
  }

  /**
   * Polls one namespace: its revision every interval, everything when it changed or now and then.
   */
  private final class Poller {
    final Namespace namespace;
    final CopyOnWriteArrayList<WatchListener> listeners = new CopyOnWriteArrayList<>();
    long revision;
    Map<String, Long> versions;
    long lastFull;
    boolean failing;
    volatile boolean stopped;

    Poller(Namespace namespace) {
      this.namespace = namespace;
      this.revision = revision(namespace);
      this.versions = snapshot();
      this.lastFull = System.nanoTime();
    }

    Map<String, Long> snapshot() {
      Map<String, Long> snapshot = new HashMap<>();
      for (StateRecord record : list(namespace)) {
        snapshot.put(record.key(), record.version());
      }
      return snapshot;
    }

    void schedule() {
      if (stopped || poller.isShutdown()) {
        return;
      }
      long base = pollInterval.toMillis();
      long delay = base * 8 / 10 + ThreadLocalRandom.current().nextLong(base * 4 / 10 + 1);
      poller.schedule(this::poll, delay, TimeUnit.MILLISECONDS);
    }

    void poll() {
      try {
        long current = revision(namespace);
        boolean full = System.nanoTime() - lastFull > FULL_RESYNC.toNanos();
        if (failing) {
          failing = false;
          log.info(
              "The dynamodb table {} answers again; watchers of {} resynchronise",
              table,
              namespace);
          listeners.forEach(listener -> safely(listener::onResync));
          full = true;
        }
        if (current != revision || full) {
          Map<String, Long> now = snapshot();
          revision = current;
          lastFull = System.nanoTime();
          List<ChangeEvent> events = new ArrayList<>();
          now.forEach(
              (key, version) -> {
                if (!version.equals(versions.get(key))) {
                  events.add(new ChangeEvent(namespace.name(), key, version));
                }
              });
          versions.keySet().stream()
              .filter(key -> !now.containsKey(key))
              .forEach(key -> events.add(new ChangeEvent(namespace.name(), key, -1)));
          versions = now;
          for (ChangeEvent event : events) {
            listeners.forEach(listener -> safely(() -> listener.onChange(event)));
          }
        }
      } catch (StateException e) {
        if (!failing) {
          failing = true;
          log.warn(
              "Cannot poll namespace {} of dynamodb table {}: {}; servers keep what they have until it answers",
              namespace,
              table,
              e.getMessage());
        }
      } catch (RuntimeException e) {
        log.warn("Polling namespace {} failed", namespace, e);
      } finally {
        schedule();
      }
    }

    private void safely(Runnable action) {
      try {
        action.run();
      } catch (RuntimeException e) {
        log.warn("A watcher of namespace {} failed", namespace, e);
      }
    }
  }

  @Override
  public void close() {
    poller.shutdownNow();
    if (ownsClient) {
      client.close();
    }
  }

  @Override
  public String toString() {
    return "DynamoDbStateStore[" + table + "]";
  }

  /** Builds a {@link DynamoDbStateStore}. Not thread-safe. */
  public static final class Builder {
    private final Settings settings = Settings.of(DynamoDbConfig.keys());
    private @Nullable AwsCredentialsProvider credentials;
    private @Nullable DynamoDbClient client;
    private BrownoutClock clock = BrownoutClock.system();
    private long maxRecordBytes = DEFAULT_MAX_RECORD_BYTES;

    private Builder() {}

    /** The table ({@code brownout.state.dynamodb.table}). Default {@code brownout}. */
    public Builder table(String table) {
      settings.set(DynamoDbConfig.TABLE, checkTable(table));
      return this;
    }

    /** The region ({@code brownout.state.dynamodb.region}). Default {@code us-east-1}. */
    public Builder region(String region) {
      settings.set(DynamoDbConfig.REGION, region);
      return this;
    }

    /**
     * An endpoint other than AWS's, such as {@code http://localhost:8000} for DynamoDB Local
     * ({@code brownout.state.dynamodb.endpoint}). For a loopback endpoint without configured
     * credentials, placeholder credentials are used.
     */
    public Builder endpoint(URI endpoint) {
      settings.set(DynamoDbConfig.ENDPOINT, endpoint);
      return this;
    }

    /**
     * How long any call may take, retries included ({@code brownout.state.dynamodb.timeout}).
     * Default 3 seconds.
     */
    public Builder timeout(Duration timeout) {
      settings.set(DynamoDbConfig.TIMEOUT, timeout);
      return this;
    }

    /**
     * How often watched namespaces are polled ({@code brownout.state.dynamodb.poll-interval}).
     * Default 1 second.
     */
    public Builder pollInterval(Duration interval) {
      settings.set(DynamoDbConfig.POLL_INTERVAL, interval);
      return this;
    }

    /** Reads {@code brownout.state.dynamodb.*} from {@code config}; values given to setters win. */
    public Builder config(BrownoutConfig config) {
      settings.config(config);
      return this;
    }

    private static String checkTable(String table) {
      if (table.length() < 3 || table.length() > 255 || !table.matches("[A-Za-z0-9_.-]+")) {
        throw new IllegalArgumentException(
            "a DynamoDB table name is 3 to 255 letters, digits, '_', '-' or '.' but was '"
                + table
                + "'");
      }
      return table;
    }

    String resolvedTable() {
      try {
        return checkTable(settings.get(DynamoDbConfig.TABLE));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            settings.describe(DynamoDbConfig.TABLE) + ": " + e.getMessage(), e);
      }
    }

    Duration resolvedTimeout() {
      return settings.get(DynamoDbConfig.TIMEOUT);
    }

    Duration resolvedPollInterval() {
      return settings.get(DynamoDbConfig.POLL_INTERVAL);
    }

    /** Credentials. Default: the SDK's default chain. */
    public Builder credentials(AwsCredentialsProvider credentials) {
      this.credentials = Objects.requireNonNull(credentials, "credentials");
      return this;
    }

    /** A client the application built itself; the store does not close it. */
    public Builder client(DynamoDbClient client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    /** The clock that decides expiry. Default: the system clock. */
    public Builder clock(BrownoutClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The largest record accepted. Default {@value StateStore#DEFAULT_MAX_RECORD_BYTES}. */
    public Builder maxRecordBytes(long bytes) {
      if (bytes < 1 || bytes > 400 * 1024) {
        throw new IllegalArgumentException(
            "maxRecordBytes must be between 1 and DynamoDB's 409600 but was " + bytes);
      }
      this.maxRecordBytes = bytes;
      return this;
    }

    /** Builds the store; no call is made until the first operation. */
    public DynamoDbStateStore build() {
      if (client != null) {
        return new DynamoDbStateStore(this, client, false);
      }
      Duration timeout = resolvedTimeout();
      URI endpoint = settings.find(DynamoDbConfig.ENDPOINT).orElse(null);
      var builder =
          DynamoDbClient.builder()
              .region(Region.of(settings.get(DynamoDbConfig.REGION)))
              .httpClientBuilder(
                  UrlConnectionHttpClient.builder()
                      .connectionTimeout(timeout)
                      .socketTimeout(timeout))
              .overrideConfiguration(
                  ClientOverrideConfiguration.builder()
                      .apiCallTimeout(timeout)
                      .apiCallAttemptTimeout(timeout)
                      // Three attempts: the SDK's DynamoDB default retries throttling with a
                      // backoff that outlasts any sensible timeout, hiding throttling behind it.
                      .retryStrategy(
                          AwsRetryStrategy.standardRetryStrategy().toBuilder()
                              .maxAttempts(3)
                              .build())
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
      return new DynamoDbStateStore(this, builder.build(), true);
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
}
