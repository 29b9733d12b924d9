package dev.brownout.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.time.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state module's builders, wired as every module's are; and the in-memory store's sweep. */
class StateModuleShapeTest {
  @TempDir Path dir;

  @Test
  void aNearCacheNeedsAStore() {
    assertThatThrownBy(() -> NearCache.builder(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("NearCache.builder(store) needs the store it caches");
  }

  @Test
  void theNearCacheSizeFromATypedSetterAndFromAPropertiesFileIsTheSame() throws Exception {
    Path file = dir.resolve("brownout.properties");
    Files.writeString(file, "brownout.state.near-cache.maximum-size=123\n");
    BrownoutConfig config = BrownoutConfig.builder().propertiesFile(file).build();
    try (InMemoryStateStore store = InMemoryStateStore.create();
        NearCache typed = NearCache.builder(store).maximumSize(123).build();
        NearCache configured = NearCache.builder(store).config(config).build()) {
      assertThat(typed.maximumSize()).isEqualTo(configured.maximumSize()).isEqualTo(123);
    }
  }

  @Test
  void expiredRecordsAreRemovedFromTheHeapNotOnlyHidden() {
    ManualClock clock = new ManualClock();
    Namespace sessions = Namespace.large("sessions");
    try (InMemoryStateStore store =
        InMemoryStateStore.builder().clock(clock).sweepInterval(Duration.ofHours(1)).build()) {
      Instant soon = clock.instant().plusSeconds(60);
      for (int i = 0; i < 25_000; i++) {
        store.update(
            sessions,
            "anonymous-" + i,
            Update.builder().set("a", new byte[8]).expireAt(soon).build());
      }
      store.update(sessions, "signed-in", Update.builder().set("a", new byte[8]).persist().build());
      assertThat(store.heldRecords()).isEqualTo(25_001);

      clock.advance(Duration.ofMinutes(2));
      assertThat(store.read(sessions, "anonymous-1")).isEmpty();
      // Bounded work per sweep: a batch at a time, carrying on where the last one stopped.
      int first = store.removeExpired(10_000);
      assertThat(first).isEqualTo(10_000);
      int rest = store.removeExpired(10_000) + store.removeExpired(10_000);
      assertThat(first + rest).isEqualTo(25_000);
      assertThat(store.heldRecords()).isEqualTo(1);
      assertThat(store.read(sessions, "signed-in")).isPresent();
    }
  }

  @Test
  void theSweepRunsByItself() throws Exception {
    Namespace sessions = Namespace.large("sessions");
    try (InMemoryStateStore store =
        InMemoryStateStore.builder().sweepInterval(Duration.ofMillis(20)).build()) {
      store.update(
          sessions,
          "short",
          Update.builder().set("a", new byte[1]).expireAt(Instant.now().plusMillis(30)).build());
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (store.heldRecords() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(store.heldRecords()).isZero();
    }
  }
}
