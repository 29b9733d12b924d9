package dev.brownout.state.dynamodb;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.config.Settings;
import dev.brownout.core.time.BrownoutClock;
import dev.brownout.state.Namespace;
import dev.brownout.state.Precondition;
import dev.brownout.state.RecordTooLargeException;
import dev.brownout.state.StateRecord;
import dev.brownout.state.StateStore;
import dev.brownout.state.StateThrottledException;
import dev.brownout.state.Update;
import dev.brownout.state.Watch;
import dev.brownout.state.WatchListener;
import dev.brownout.state.WriteResult;
import dev.brownout.state.spi.StoreChecks;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

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
 * with it. A record that would pass the store's limit, or an item DynamoDB's 400 KB, is refused as
 * {@link RecordTooLargeException} by the store itself, from a size bound each item carries ({@code
 * sz}), with nothing changed. Throttling is retried by the SDK, then surfaced as {@link
 * StateThrottledException}, also when the retries outlast the timeout. Every call, retries
 * included, is bounded by the timeout. A failed revision bump is retried in the background, so
 * other servers' watchers do not wait for their next full comparison; a table whose TTL is off is
 * reported at start, once.
 */
public final class DynamoDbStateStore implements StateStore {
  // The store checks arguments and hands the work to its collaborators: RecordItems maps records
  // to items, ConsistentReads reads them, ConditionalWrites (with UpdateExpressions) writes them,
  // TableClient runs every call and translates its failure, RevisionWatchers polls for watchers.
  private final TableClient table;
  private final boolean ownsClient;
  private final long maxRecordBytes;
  private final ConsistentReads reads;
  private final RevisionWatchers watchers;
  private final ConditionalWrites writes;
  private final CompletableFuture<Optional<String>> ttlCheck;

  private DynamoDbStateStore(Builder builder, DynamoDbClient client, boolean ownsClient) {
    this.table = new TableClient(client, builder.resolvedTable(), builder.resolvedTimeout());
    this.ownsClient = ownsClient;
    this.maxRecordBytes = builder.maxRecordBytes;
    this.reads = new ConsistentReads(table, builder.clock);
    this.watchers = new RevisionWatchers(table, reads, builder.resolvedPollInterval());
    this.writes = new ConditionalWrites(table, reads, watchers, builder.clock, maxRecordBytes);
    // Off the caller's thread: building makes no call, and a slow DynamoDB must not delay it.
    this.ttlCheck = new CompletableFuture<>();
    watchers.background(
        () -> ttlCheck.complete(TableSetup.warnIfTtlIsOff(table.client(), table.name())));
  }

  /** What the start-up check of the table's TTL found wrong, once it is done; for tests. */
  CompletableFuture<Optional<String>> ttlCheck() {
    return ttlCheck;
  }

  /** The namespaces whose revision bump is owed to other servers' watchers; for tests. */
  Set<String> owedRevisionBumps() {
    return watchers.owedBumps();
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
    TableSetup.create(client, table);
  }

  /** The client, for {@link #createTable(DynamoDbClient, String)} and diagnostics. */
  public DynamoDbClient client() {
    return table.client();
  }

  @Override
  public String kind() {
    return "dynamodb";
  }

  @Override
  public long maxRecordBytes() {
    return maxRecordBytes;
  }

  @Override
  public Optional<StateRecord> read(Namespace namespace, String key) {
    StoreChecks.key(namespace, key);
    return reads.read(namespace, key);
  }

  @Override
  public Optional<StateRecord> read(Namespace namespace, String key, Set<String> fields) {
    StoreChecks.key(namespace, key);
    StoreChecks.fields(fields);
    return reads.read(namespace, key, fields);
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
    return writes.update(namespace, key, update);
  }

  @Override
  public boolean delete(Namespace namespace, String key, Precondition precondition) {
    StoreChecks.key(namespace, key);
    StoreChecks.deletePrecondition(precondition);
    return writes.delete(namespace, key, precondition);
  }

  @Override
  public List<StateRecord> list(Namespace namespace) {
    StoreChecks.listable(namespace);
    return reads.list(namespace);
  }

  @Override
  public Watch watch(Namespace namespace, WatchListener listener) {
    StoreChecks.watchable(namespace);
    Objects.requireNonNull(listener, "listener");
    return watchers.watch(namespace, listener);
  }

  @Override
  public void close() {
    watchers.close();
    if (ownsClient) {
      table.client().close();
    }
  }

  @Override
  public String toString() {
    return "DynamoDbStateStore[" + table.name() + "]";
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
      String region = settings.get(DynamoDbConfig.REGION);
      return new DynamoDbStateStore(
          this, DynamoDbClients.create(region, endpoint, timeout, credentials), true);
    }
  }
}
