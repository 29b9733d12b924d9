package dev.brownout.state.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.state.ChangeEvent;
import dev.brownout.state.Namespace;
import dev.brownout.state.RecordTooLargeException;
import dev.brownout.state.StateRecord;
import dev.brownout.state.Update;
import dev.brownout.state.Watch;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * What production DynamoDB needs beyond the contract: the item limit enforced by the store, a
 * revision bump that is not lost, and a table without TTL noticed.
 */
class DynamoDbProductionTest {
  static DynamoDbLocal local;

  @BeforeAll
  static void start() {
    local = new DynamoDbLocal();
  }

  @AfterAll
  static void stop() {
    local.close();
  }

  static byte[] bytes(int size) {
    return new byte[size];
  }

  static Namespace large() {
    return Namespace.large("l" + UUID.randomUUID().toString().substring(0, 8));
  }

  /** A client of DynamoDB Local with {@code interceptor}, as an application would build one. */
  static DynamoDbClient client(ExecutionInterceptor interceptor) {
    return DynamoDbClient.builder()
        .endpointOverride(local.endpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .overrideConfiguration(
            configuration ->
                configuration
                    .addExecutionInterceptor(interceptor)
                    .apiCallTimeout(Duration.ofSeconds(2)))
        .build();
  }

  @Test
  void aRecordPastTheStoresOwnLimitIsRefusedThoughDynamoDbWouldTakeIt() {
    try (DynamoDbStateStore store =
        local.storeBuilder(Duration.ofSeconds(5)).maxRecordBytes(100_000).build()) {
      Namespace ns = large();
      store.update(ns, "k", Update.builder().set("first", bytes(60_000)).build());

      assertThatThrownBy(
              () -> store.update(ns, "k", Update.builder().set("second", bytes(60_000)).build()))
          .isInstanceOfSatisfying(
              RecordTooLargeException.class,
              e -> {
                assertThat(e.limit()).isEqualTo(100_000);
                assertThat(e.size()).isEqualTo(120_000 + "first".length() + "second".length());
              });
      assertThat(store.read(ns, "k").orElseThrow().fieldNames()).containsExactly("first");
    }
  }

  @Test
  void anItemPastDynamoDbsOwnLimitIsRefusedByTheStoreNotByDynamoDb() {
    try (DynamoDbStateStore store =
        local.storeBuilder(Duration.ofSeconds(5)).maxRecordBytes(409_600).build()) {
      Namespace ns = large();
      store.update(ns, "k", Update.builder().set("a", bytes(200_000)).build());
      // 405 000 bytes of values fit the store's limit, but with names, key and bookkeeping the
      // item would pass DynamoDB's 409 600.
      assertThatThrownBy(
              () -> store.update(ns, "k", Update.builder().set("b", bytes(209_590)).build()))
          .isInstanceOf(RecordTooLargeException.class)
          .hasMessageContaining("past DynamoDB's limit of 409600 bytes per item")
          .hasMessageContaining("nothing was changed");
      StateRecord record = store.read(ns, "k").orElseThrow();
      assertThat(record.fieldNames()).containsExactly("a");

      // What does fit, up to the limit, is written.
      store.update(ns, "k", Update.builder().set("b", bytes(209_000)).build());
      assertThat(store.read(ns, "k").orElseThrow().fieldNames())
          .containsExactlyInAnyOrder("a", "b");
    }
  }

  @Test
  void rewritingAFieldAgainAndAgainIsNeverRefused() {
    // The size bound adds what each update sets; when it can no longer prove a write fits, the
    // store measures the item and writes the exact size back.
    try (DynamoDbStateStore store = local.storeBuilder(Duration.ofSeconds(5)).build()) {
      Namespace ns = large();
      for (int i = 0; i < 8; i++) {
        byte[] cart = bytes(150_000);
        cart[0] = (byte) i;
        store.update(ns, "session", Update.builder().set("cart", cart).build());
      }
      assertThat(store.read(ns, "session").orElseThrow().field("cart").orElseThrow()[0])
          .isEqualTo((byte) 7);
      Map<String, AttributeValue> item =
          store
              .client()
              .getItem(
                  request ->
                      request
                          .tableName(DynamoDbLocal.TABLE)
                          .key(RecordItems.key(ns, "session"))
                          .consistentRead(true))
              .item();
      long bound = Long.parseLong(item.get(ItemSizes.SIZE).n());
      assertThat(bound).isBetween(150_006L, 400_000L);
    }
  }

  @Test
  void anItemWrittenBeforeTheSizeBoundIsMeasuredOnItsFirstUpdate() {
    try (DynamoDbStateStore store = local.storeBuilder(Duration.ofSeconds(5)).build()) {
      Namespace ns = large();
      // As an older Brownout wrote it: no size bound.
      store
          .client()
          .putItem(
              request ->
                  request
                      .tableName(DynamoDbLocal.TABLE)
                      .item(
                          Map.of(
                              "pk", AttributeValue.fromS(ns.name() + "#old"),
                              "sk", AttributeValue.fromS("#"),
                              "v", AttributeValue.fromN("5"),
                              "f:a",
                                  AttributeValue.fromB(SdkBytes.fromByteArray(bytes(300_000))))));

      assertThatThrownBy(
              () -> store.update(ns, "old", Update.builder().set("b", bytes(100_000)).build()))
          .isInstanceOf(RecordTooLargeException.class);
      assertThat(
              store.update(ns, "old", Update.builder().set("b", bytes(50_000)).build()).version())
          .isEqualTo(6);
    }
  }

  @Test
  void aFailedRevisionBumpIsRetriedSoOtherServersHearTheChangeSoon() throws Exception {
    AtomicBoolean failBumps = new AtomicBoolean(true);
    AtomicInteger failed = new AtomicInteger();
    ExecutionInterceptor bumpsFail =
        new ExecutionInterceptor() {
          @Override
          public void beforeExecution(
              Context.BeforeExecution context, ExecutionAttributes attributes) {
            SdkRequest request = context.request();
            if (failBumps.get()
                && request instanceof UpdateItemRequest update
                && update.key().get("pk").s().startsWith("#rev#")) {
              failed.incrementAndGet();
              throw SdkClientException.create("simulated: the revision bump is lost");
            }
          }
        };
    Namespace ns = Namespace.small("s" + UUID.randomUUID().toString().substring(0, 8));
    try (DynamoDbClient faulty = client(bumpsFail);
        DynamoDbStateStore writer =
            local.storeBuilder(Duration.ofSeconds(2)).client(faulty).build();
        DynamoDbStateStore reader = local.storeBuilder(Duration.ofSeconds(2)).build()) {
      BlockingQueue<ChangeEvent> events = new LinkedBlockingQueue<>();
      Watch watch = reader.watch(ns, events::add);
      try {
        writer.update(ns, "flag", Update.builder().set("on", "true").build());
        assertThat(failed.get()).as("the bump failed").isPositive();
        assertThat(writer.owedRevisionBumps()).containsExactly(ns.name());

        failBumps.set(false);
        ChangeEvent heard = poll(events, "flag", Duration.ofSeconds(5));
        // Without the retry, the reader would hear it at its next full comparison (30 s).
        assertThat(heard).as("the change reached the other server within 5 s").isNotNull();
        assertThat(writer.owedRevisionBumps()).isEmpty();
      } finally {
        watch.close();
      }
    }
  }

  private static ChangeEvent poll(BlockingQueue<ChangeEvent> events, String key, Duration limit)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      ChangeEvent event = events.poll(50, TimeUnit.MILLISECONDS);
      if (event != null && event.key().equals(key)) {
        return event;
      }
    }
    return null;
  }

  @Test
  void aTableWithoutTtlIsReportedOnceAtStart() throws Exception {
    String bare = "no-ttl-" + UUID.randomUUID().toString().substring(0, 8);
    try (DynamoDbStateStore setup = local.storeBuilder(Duration.ofSeconds(10)).build()) {
      setup
          .client()
          .createTable(
              request ->
                  request
                      .tableName(bare)
                      .billingMode(BillingMode.PAY_PER_REQUEST)
                      .attributeDefinitions(
                          AttributeDefinition.builder()
                              .attributeName("pk")
                              .attributeType(ScalarAttributeType.S)
                              .build(),
                          AttributeDefinition.builder()
                              .attributeName("sk")
                              .attributeType(ScalarAttributeType.S)
                              .build())
                      .keySchema(
                          KeySchemaElement.builder()
                              .attributeName("pk")
                              .keyType(KeyType.HASH)
                              .build(),
                          KeySchemaElement.builder()
                              .attributeName("sk")
                              .keyType(KeyType.RANGE)
                              .build()));
    }
    try (DynamoDbStateStore store = local.storeBuilder(Duration.ofSeconds(5)).table(bare).build()) {
      Optional<String> problem = store.ttlCheck().get(10, TimeUnit.SECONDS);
      assertThat(problem)
          .hasValueSatisfying(
              text ->
                  assertThat(text)
                      .contains("TTL on dynamodb table " + bare + " is disabled")
                      .contains("--time-to-live-specification Enabled=true,AttributeName=ttl"));
    }
    try (DynamoDbStateStore store = local.storeBuilder(Duration.ofSeconds(5)).build()) {
      assertThat(store.ttlCheck().get(10, TimeUnit.SECONDS))
          .as("the table createTable made has TTL on ttl")
          .isEmpty();
    }
  }
}
