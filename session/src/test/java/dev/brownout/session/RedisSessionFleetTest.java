package dev.brownout.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.state.StateStore;
import dev.brownout.state.redis.RedisStateStore;
import dev.brownout.state.testservers.RedisTestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fleet promise on one real Redis (appendfsync always), and Redis killed and restarted in the
 * middle of the traffic under each store-down policy.
 */
class RedisSessionFleetTest extends SessionFleetContract {
  static RedisTestServer redis;

  @BeforeAll
  static void startRedis() {
    redis = RedisTestServer.durable();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @Override
  StateStore client() {
    RedisStateStore store =
        RedisStateStore.builder()
            .uri(redis.uri())
            .timeout(Duration.ofSeconds(2))
            .connectLazily()
            .build();
    closing.add(store);
    return store;
  }

  /** Redis stopped a third of the way through browser 0's first tab, started 1.5 s later. */
  Outage killAndRestart() {
    return new Outage() {
      Thread restart;

      @Override
      public void begin() {
        redis.stop();
        restart =
            new Thread(
                () -> {
                  try {
                    Thread.sleep(1500);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  redis.start();
                });
        restart.start();
      }

      @Override
      public void end(Fleet fleet) {
        try {
          restart.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        awaitWrittenBack(fleet);
      }
    };
  }

  @Test
  void redisKilledAndRestartedMidTrafficLosesNoAcknowledgedWriteUnderAnyPolicy() throws Exception {
    List<Figures> figures = new ArrayList<>();
    for (StoreDownPolicy policy : StoreDownPolicy.values()) {
      // Serve-cached holds changes on the server that took them: the docs pair it with sticky
      // sessions, and so does this run. The others route at random.
      boolean sticky = policy == StoreDownPolicy.SERVE_CACHED;
      String label =
          "last_writer_wins / "
              + policy.name().toLowerCase()
              + (sticky ? " / sticky, Redis killed" : " / random, Redis killed");
      figures.add(
          run(label, config(ConcurrencyMode.LAST_WRITER_WINS, policy), sticky, killAndRestart()));
      close();
    }
    print(figures);
    for (Figures f : figures) {
      assertThat(f.lost()).as("%s: acknowledged and lost", f.combination()).isZero();
      assertThat(f.otherErrors()).as("%s: 5xx other than the 503", f.combination()).isZero();
      assertThat(f.resurrected()).as("%s: signed out and back", f.combination()).isZero();
      assertThat(f.half()).as("%s: half sessions", f.combination()).isZero();
    }
  }
}
