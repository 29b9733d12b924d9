package dev.brownout.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The Java-serialization codec refuses streams whose shape would cost CPU or memory. */
class JavaSerializationLimitsTest {
  final JavaSerializationCodec codec = JavaSerializationCodec.allowing();

  /** Nested sets whose deserialization hashes 2^levels times, in a stream of a few KB. */
  static byte[] hashingBomb(int levels) throws Exception {
    Set<Object> root = new HashSet<>();
    Set<Object> left = root;
    Set<Object> right = new HashSet<>();
    for (int i = 0; i < levels; i++) {
      Set<Object> nextLeft = new HashSet<>();
      Set<Object> nextRight = new HashSet<>();
      nextLeft.add("x");
      left.add(nextLeft);
      left.add(nextRight);
      right.add(nextLeft);
      right.add(nextRight);
      left = nextLeft;
      right = nextRight;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(root);
    }
    return bytes.toByteArray();
  }

  @Test
  void aNestedCollectionBombWithinTheOldDepthLimitIsRefusedQuickly() throws Exception {
    byte[] bomb = hashingBomb(30);
    assertThat(bomb.length).as("a small record").isLessThan(4096);
    // The bound is a safety net against a hang, not a performance assertion: before the limits,
    // this took minutes of CPU.
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () ->
            assertThatThrownBy(() -> codec.decode("cart", bomb))
                .isInstanceOf(SessionCodecException.class)
                .hasMessageContaining("cart"));
  }

  @Test
  void ordinaryAttributesStillRoundTrip() {
    List<Map<String, Object>> items = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      items.add(Map.of("sku", "sku-" + i, "quantity", i, "tags", List.of("a", "b")));
    }
    Object back = codec.decode("cart", codec.encode("cart", new ArrayList<>(items)));
    assertThat(back).isEqualTo(items);
  }

  @Test
  void aStreamOverTheByteLimitIsRefusedUnread() {
    JavaSerializationCodec small = codec.withLimits(12, 10_000, 100_000, 1024);
    byte[] large = codec.encode("blob", new byte[4096]);
    assertThatThrownBy(() -> small.decode("blob", large))
        .isInstanceOf(SessionCodecException.class)
        .hasMessageContaining("over the codec's limit of 1024");
  }

  @Test
  void limitsOutsideTheirRangesAreRefusedNamingEach() {
    assertThatThrownBy(() -> codec.withLimits(0, 0, -1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxDepth must be between 1 and 64 but was 0")
        .hasMessageContaining("maxReferences")
        .hasMessageContaining("maxArrayLength")
        .hasMessageContaining("maxBytes");
    assertThat(codec.limits()).containsExactly(12, 10_000, 100_000, 256 * 1024);
  }
}
