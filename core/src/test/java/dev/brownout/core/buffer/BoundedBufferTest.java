package dev.brownout.core.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.core.internal.CoreDeclarations;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.core.metrics.MetricsReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Bounded buffers: each policy, the meters, and conservation under concurrency. */
class BoundedBufferTest {
  static BoundedBuffer<Integer> buffer(BoundedBuffer.Policy policy, List<Integer> dropped) {
    return BoundedBuffer.<Integer>builder("test", 3).policy(policy).onDrop(dropped::add).build();
  }

  static List<Integer> drain(BoundedBuffer<Integer> buffer) {
    List<Integer> all = new ArrayList<>();
    buffer.drainTo(all, Integer.MAX_VALUE);
    return all;
  }

  @Test
  void dropHeadKeepsTheNewest() {
    List<Integer> dropped = new ArrayList<>();
    BoundedBuffer<Integer> buffer = buffer(BoundedBuffer.Policy.DROP_HEAD, dropped);
    for (int i = 1; i <= 5; i++) {
      assertThat(buffer.offer(i)).isTrue();
    }
    assertThat(dropped).containsExactly(1, 2);
    assertThat(buffer.dropped()).isEqualTo(2);
    assertThat(drain(buffer)).containsExactly(3, 4, 5);
  }

  @Test
  void dropTailKeepsTheOldest() {
    List<Integer> dropped = new ArrayList<>();
    BoundedBuffer<Integer> buffer = buffer(BoundedBuffer.Policy.DROP_TAIL, dropped);
    List<Boolean> taken = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      taken.add(buffer.offer(i));
    }
    assertThat(taken).containsExactly(true, true, true, false, false);
    assertThat(dropped).containsExactly(4, 5);
    assertThat(drain(buffer)).containsExactly(1, 2, 3);
  }

  @Test
  void blockWaitsForRoomThenRefuses() throws Exception {
    BoundedBuffer<Integer> buffer =
        BoundedBuffer.<Integer>builder("audit", 1)
            .policy(BoundedBuffer.Policy.BLOCK)
            .blockTimeout(Duration.ofMillis(50))
            .build();
    assertThat(buffer.offer(1)).isTrue();
    long start = System.nanoTime();
    assertThat(buffer.offer(2)).isFalse();
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(40));
    assertThat(buffer.dropped()).isEqualTo(1);

    // Room made while a producer waits lets it in.
    BoundedBuffer<Integer> patient =
        BoundedBuffer.<Integer>builder("patient", 1)
            .policy(BoundedBuffer.Policy.BLOCK)
            .blockTimeout(Duration.ofSeconds(10))
            .build();
    patient.offer(1);
    Thread freeing =
        new Thread(
            () -> {
              try {
                Thread.sleep(20);
              } catch (InterruptedException e) {
                return;
              }
              patient.poll();
            });
    freeing.start();
    assertThat(patient.offer(2)).isTrue();
    assertThat(patient.poll()).hasValue(2);
  }

  @Test
  void itsMetersShowFillAndDropsByPolicy() {
    BrownoutMetrics metrics = BrownoutMetrics.inMemory();
    BoundedBuffer<String> buffer =
        BoundedBuffer.<String>builder("analytics", 4)
            .policy(BoundedBuffer.Policy.DROP_HEAD)
            .metrics(metrics)
            .build();
    for (int i = 0; i < 6; i++) {
      buffer.offer("event " + i);
    }
    buffer.poll();
    var registry = metrics.registry();
    assertThat(registry.get("brownout.buffer.fill").tag("buffer", "analytics").gauge().value())
        .isEqualTo(0.75);
    assertThat(
            registry
                .get("brownout.buffer.dropped")
                .tag("buffer", "analytics")
                .tag("policy", "drop_head")
                .functionCounter()
                .count())
        .isEqualTo(2);
  }

  @Test
  void itsMetersAreCoresSoTheMetricsReferenceListsThem() {
    var meters = new CoreDeclarations().meters();
    assertThat(meters).contains(BoundedBuffer.FILL, BoundedBuffer.DROPPED);
    assertThat(MetricsReference.markdown(meters))
        .contains("`brownout.buffer.fill`", "`brownout.buffer.dropped`");
  }

  @Test
  void awaitItemWaitsForAnItemWithoutTakingIt() throws InterruptedException {
    BoundedBuffer<String> buffer =
        BoundedBuffer.<String>builder("shipping", 2)
            .policy(BoundedBuffer.Policy.BLOCK)
            .blockTimeout(Duration.ofMillis(250))
            .build();
    assertThat(buffer.awaitItem(Duration.ofMillis(1))).isFalse();
    buffer.offer("a");
    assertThat(buffer.awaitItem(Duration.ofMillis(1))).isTrue();
    assertThat(buffer.size()).isEqualTo(1);
    assertThat(buffer.peek()).hasValue("a");
    assertThat(buffer.blockTimeout()).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void badSettingsAreRefusedNamingTheBuffer() {
    assertThatThrownBy(() -> BoundedBuffer.builder("fan-out", 0))
        .hasMessageContaining("buffer fan-out must hold at least 1 item but its capacity was 0");
    assertThatThrownBy(() -> BoundedBuffer.builder("fan-out", 1).blockTimeout(Duration.ZERO))
        .hasMessageContaining("block timeout must be 1 ms to 1 min");
  }

  @Test
  void aFailingDropCallbackDoesNotFailTheProducer() {
    BoundedBuffer<Integer> buffer =
        BoundedBuffer.<Integer>builder("x", 1)
            .onDrop(
                i -> {
                  throw new IllegalStateException("logging broke");
                })
            .build();
    buffer.offer(1);
    assertThat(buffer.offer(2)).isFalse();
    assertThat(buffer.dropped()).isEqualTo(1);
  }

  @Test
  void underConcurrencyEveryItemIsEitherConsumedHeldOrCountedAsDropped() throws Exception {
    for (BoundedBuffer.Policy policy : BoundedBuffer.Policy.values()) {
      List<Long> consumed = Collections.synchronizedList(new ArrayList<>());
      List<Long> dropped = new CopyOnWriteArrayList<>();
      AtomicLong next = new AtomicLong();
      AtomicBoolean producing = new AtomicBoolean(true);
      ExecutorService producers = Executors.newFixedThreadPool(4);
      CountDownLatch done = new CountDownLatch(4);
      BoundedBuffer<Long> counted =
          BoundedBuffer.<Long>builder("c2", 64)
              .policy(policy)
              .blockTimeout(Duration.ofMillis(1))
              .onDrop(dropped::add)
              .build();
      for (int p = 0; p < 4; p++) {
        producers.execute(
            () -> {
              for (int i = 0; i < 5_000; i++) {
                counted.offer(next.getAndIncrement());
              }
              done.countDown();
            });
      }
      Thread consumer =
          new Thread(
              () -> {
                while (producing.get() || counted.size() > 0) {
                  try {
                    counted.poll(Duration.ofMillis(5)).ifPresent(consumed::add);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              });
      consumer.start();
      assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
      producing.set(false);
      consumer.join(10_000);
      producers.shutdown();
      assertThat(consumed.size() + dropped.size()).as(policy.name()).isEqualTo(20_000);
      assertThat(counted.dropped()).isEqualTo(dropped.size());
      assertThat(new java.util.HashSet<>(consumed)).hasSize(consumed.size());
      assertThat(counted.size()).isZero();
    }
  }
}
