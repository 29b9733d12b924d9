package dev.brownout.state.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.state.StateRecord;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordsTest {
  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void anAdoptedRecordKeepsTheArraysAndForEachFieldHandsThemOut() {
    byte[] value = bytes("2 KB of session");
    Map<String, byte[]> fields = new LinkedHashMap<>();
    fields.put("a:profile", value);
    StateRecord record = Records.adopt("k", fields, 7, null);

    Map<String, byte[]> seen = new HashMap<>();
    Records.forEachField(record, seen::put);

    assertThat(seen.get("a:profile")).isSameAs(value);
    assertThat(record.version()).isEqualTo(7);
    assertThat(record.field("a:profile").orElseThrow())
        .as("public reads still copy")
        .isNotSameAs(value)
        .isEqualTo(value);
  }

  @Test
  void thePublicConstructorStillCopiesIn() {
    byte[] value = bytes("v");
    StateRecord record = new StateRecord("k", Map.of("f", value), 1, null);
    value[0] = 'x';

    Map<String, byte[]> seen = new HashMap<>();
    Records.forEachField(record, seen::put);
    assertThat(seen.get("f")).isNotSameAs(value).isEqualTo(bytes("v"));
  }

  @Test
  void onlyStateRecordRegistersTheAccessor() {
    new StateRecord("k", Map.of(), 1, null);
    assertThatThrownBy(
            () ->
                Records.register(
                    new Records.Accessor() {
                      @Override
                      public StateRecord adopt(
                          String key,
                          Map<String, byte[]> fields,
                          long version,
                          java.time.Instant expiresAt) {
                        return null;
                      }

                      @Override
                      public void forEachField(
                          StateRecord record,
                          java.util.function.BiConsumer<String, byte[]> action) {}
                    }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("registered already");
  }
}
