package dev.brownout.site.guides;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.guard.GuardedProxies;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.degrade.CallTimeoutException;
import dev.brownout.degrade.CircuitBreaker;
import dev.brownout.degrade.Fallback;
import dev.brownout.degrade.ReadMode;
import dev.brownout.degrade.ReadOnlyModeException;
import dev.brownout.degrade.ReadOnlyReason;
import dev.brownout.degrade.ReadOnlySafe;
import dev.brownout.degrade.Resilience;
import dev.brownout.degrade.Retry;
import dev.brownout.degrade.Timeout;
import dev.brownout.degrade.WriteOperation;
import dev.brownout.degrade.WritePath;
import dev.brownout.degrade.WritePathDataSource;
import dev.brownout.state.InMemoryStateStore;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/**
 * The degrade guide: browse-only by hand, the gate on service methods, the write path, payments.
 */
class DegradeGuideTest {
  // tag::bookings[]
  @WriteOperation
  public interface Bookings {
    String book(String listing, String guest);

    @ReadOnlySafe
    List<String> mine(String guest);
  }

  // end::bookings[]

  static final class Database implements Bookings {
    final List<String> rows = new ArrayList<>();

    @Override
    public String book(String listing, String guest) {
      rows.add(guest + ":" + listing);
      return "booking-" + rows.size();
    }

    @Override
    public List<String> mine(String guest) {
      return rows.stream().filter(row -> row.startsWith(guest + ":")).toList();
    }
  }

  @Test
  void browseOnlyByHand() {
    BrownoutConfig config = BrownoutConfig.load();
    BrownoutMetrics metrics = BrownoutMetrics.inMemory();
    Instant eta = Instant.now().plus(Duration.ofMinutes(20));
    Database real = new Database();
    try (InMemoryStateStore store = InMemoryStateStore.create()) {
      // tag::by-hand[]
      ReadMode readMode = ReadMode.builder(store).config(config).metrics(metrics).build();

      readMode.enter(
          ReadOnlyReason.builder("db-move", ReadOnlyReason.Kind.MAINTENANCE)
              .source("ops")
              .message("Bookings are paused while we move databases.")
              .eta(eta)
              .build());
      // end::by-hand[]
      // tag::gate[]
      Bookings bookings =
          GuardedProxies.builder().add(readMode.guards()).build().proxy(Bookings.class, real);
      // end::gate[]
      try (readMode) {
        assertThat(readMode.isBrowseOnly()).isTrue();
        assertThat(bookings.mine("ada")).isEmpty();
        assertThatThrownBy(() -> bookings.book("loft", "ada"))
            .isInstanceOf(ReadOnlyModeException.class);
        assertThat(readMode.retryAfter()).isPresent();
        // tag::by-hand[]
        readMode.leave("db-move");
        // end::by-hand[]
        assertThat(bookings.book("loft", "ada")).isEqualTo("booking-1");
      }
    }
  }

  @Test
  void theWritePathPutsTheApplicationInBrowseOnlyByItself() throws Exception {
    BrownoutConfig config = BrownoutConfig.load();
    BrownoutMetrics metrics = BrownoutMetrics.inMemory();
    JdbcDataSource pool = new JdbcDataSource(); // your connection pool
    pool.setURL("jdbc:h2:mem:degrade-guide;DB_CLOSE_DELAY=-1");
    try (InMemoryStateStore store = InMemoryStateStore.create();
        ReadMode readMode = ReadMode.builder(store).config(config).build()) {
      // tag::write-path[]
      WritePath writePath =
          WritePath.builder(
                  readMode, WritePathDataSource.probe(pool, Duration.ofSeconds(2))) // writable?
              .config(config) // brownout.degrade.write-path.*
              .probeInterval(Duration.ofSeconds(1)) // or any key, typed
              .metrics(metrics)
              .build();
      DataSource dataSource = WritePathDataSource.wrap(pool, writePath); // the application's
      // end::write-path[]
      try (writePath;
          Connection connection = dataSource.getConnection();
          Statement sql = connection.createStatement()) {
        sql.execute("create table bookings (id int primary key)");
        sql.execute("insert into bookings values (1)");
        assertThat(writePath.tripped()).isFalse();
        assertThat(readMode.isBrowseOnly()).isFalse();
      }
    }
  }

  // tag::payments[]
  public interface PaymentApi {
    @Fallback(
        value = QueuedPayments.class,
        on = {IOException.class, CallNotPermittedException.class, CallTimeoutException.class})
    @Retry("payments")
    @CircuitBreaker("payments")
    @Timeout(millis = 300)
    String charge(String booking) throws IOException;
  }

  /** Answers when the provider cannot: the charge is queued and taken later. */
  public static final class QueuedPayments {
    public String charge(String booking) {
      return "queued:" + booking;
    }
  }

  // end::payments[]

  static final class DownProvider implements PaymentApi {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public String charge(String booking) throws IOException {
      calls.incrementAndGet();
      throw new IOException("connection refused");
    }
  }

  @Test
  void aProviderThatIsDownGetsRetriedThenTheFallbackAnswers() throws Exception {
    BrownoutMetrics metrics = BrownoutMetrics.inMemory();
    DownProvider client = new DownProvider();
    try (InMemoryStateStore store = InMemoryStateStore.create()) {
      // tag::resilience[]
      Resilience resilience =
          Resilience.builder(store)
              .circuitBreaker(
                  "payments", CircuitBreakerConfig.custom().failureRateThreshold(50).build())
              .retry(
                  "payments",
                  RetryConfig.custom()
                      .maxAttempts(3)
                      .waitDuration(Duration.ofMillis(50))
                      .ignoreExceptions(CallNotPermittedException.class)
                      .build())
              .metrics(metrics)
              .build();
      PaymentApi payments =
          GuardedProxies.builder().add(resilience.guards()).build().proxy(PaymentApi.class, client);
      // end::resilience[]
      try (resilience) {
        assertThat(payments.charge("booking-7")).isEqualTo("queued:booking-7");
        assertThat(client.calls).hasValue(3);
      }
    }
  }
}
