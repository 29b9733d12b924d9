package dev.brownout.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionCodecTest {
  record Cart(List<String> items, int version) {}

  record CartV2(List<String> items) {}

  static final class Basket implements Serializable {
    private static final long serialVersionUID = 1L;
    final List<String> items = new ArrayList<>();
  }

  @Test
  void jsonRoundTripsBuiltInsAndRegisteredTypesByAlias() {
    JsonSessionCodec codec = JsonSessionCodec.builder().register("cart", Cart.class).build();
    for (Object value :
        List.of(
            "text",
            true,
            42,
            42L,
            2.5,
            new BigDecimal("19.99"),
            Instant.parse("2026-11-22T10:00:00Z"),
            List.of("a", 1),
            Map.of("k", List.of("v")),
            new Cart(List.of("book"), 3))) {
      assertThat(codec.decode("x", codec.encode("x", value))).isEqualTo(value);
    }
    assertThat(new String(codec.encode("cart", new Cart(List.of(), 1))))
        .contains("\"t\":\"cart\"")
        .doesNotContain(Cart.class.getName());
  }

  @Test
  void jsonRefusesUnknownTypesAtSetAttributeWithAFix() {
    JsonSessionCodec codec = JsonSessionCodec.standard();
    assertThatThrownBy(() -> codec.check("cart", new Cart(List.of(), 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'cart'")
        .hasMessageContaining(Cart.class.getName())
        .hasMessageContaining("register(");
    assertThatThrownBy(() -> codec.check("ids", java.util.Set.of(1)))
        .hasMessageContaining("only lists and maps");
    assertThatThrownBy(() -> codec.check("m", Map.of(1, "x"))).hasMessageContaining("map key");
  }

  @Test
  void aClassThatChangedShapeStillDecodesAndAnUnknownAliasIsAnError() {
    byte[] old =
        JsonSessionCodec.builder()
            .register("cart", Cart.class)
            .build()
            .encode("cart", new Cart(List.of("book"), 3));
    JsonSessionCodec deployed = JsonSessionCodec.builder().register("cart", CartV2.class).build();
    assertThat(deployed.decode("cart", old)).isEqualTo(new CartV2(List.of("book")));

    assertThatThrownBy(() -> JsonSessionCodec.standard().decode("cart", old))
        .isInstanceOf(SessionCodecException.class)
        .hasMessageContaining("alias 'cart'");
    assertThatThrownBy(() -> JsonSessionCodec.standard().decode("x", "[1]".getBytes()))
        .isInstanceOf(SessionCodecException.class);
  }

  @Test
  void registrationMistakesAreRefused() {
    assertThatThrownBy(() -> JsonSessionCodec.builder().register("string", Cart.class))
        .hasMessageContaining("built in");
    assertThatThrownBy(() -> JsonSessionCodec.builder().register("has space", Cart.class))
        .hasMessageContaining("must match");
    assertThatThrownBy(
            () -> JsonSessionCodec.builder().register("a", Cart.class).register("b", Cart.class))
        .hasMessageContaining("already registered");
  }

  @Test
  void javaSerializationReadsOnlyWhatTheAllowListNames() throws IOException {
    JavaSerializationCodec codec = JavaSerializationCodec.allowing("dev.brownout.session.*");
    Basket basket = new Basket();
    basket.items.add("book");
    Basket back = (Basket) codec.decode("basket", codec.encode("basket", basket));
    assertThat(back.items).containsExactly("book");

    // A record someone wrote with a class off the list: refused, not instantiated.
    ByteArrayOutputStream forged = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(forged)) {
      out.writeObject(URI.create("http://example.com"));
    }
    assertThatThrownBy(() -> codec.decode("x", forged.toByteArray()))
        .isInstanceOf(SessionCodecException.class)
        .hasMessageContaining("refused");
    assertThatThrownBy(() -> codec.check("u", URI.create("http://example.com")))
        .hasMessageContaining("allow-list");
    assertThatThrownBy(() -> codec.check("o", new Object())).hasMessageContaining("Serializable");
  }

  @Test
  void allowListPatternsThatWouldAllowEverythingAreRefused() {
    for (String bad : List.of("*", "!java.*", "a;b", "maxdepth=5", "")) {
      assertThatThrownBy(() -> JavaSerializationCodec.allowing(bad))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void idsAreLongRandomAndStrictlyShaped() {
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String id = SessionIds.generate();
      assertThat(SessionIds.wellFormed(id)).isTrue();
      assertThat(seen.add(id)).isTrue();
    }
    assertThat(SessionIds.BYTES * 8).isGreaterThanOrEqualTo(128);
    assertThat(SessionIds.wellFormed("A".repeat(26))).isFalse();
    assertThat(SessionIds.wellFormed("A".repeat(26) + "=")).isFalse();
    assertThat(SessionIds.wellFormed(null)).isFalse();
  }
}
