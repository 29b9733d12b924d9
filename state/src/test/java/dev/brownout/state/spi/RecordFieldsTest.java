package dev.brownout.state.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.state.StateRecord;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordFieldsTest {
  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void anAdoptedRecordKeepsTheArraysAndItsSharedFieldsHandThemOut() {
    byte[] value = bytes("2 KB of session");
    Map<String, byte[]> fields = new LinkedHashMap<>();
    fields.put("a:profile", value);
    StateRecord record = new StateRecord("k", RecordFields.adopt(fields), 7, null);

    Map<String, byte[]> seen = new HashMap<>();
    record.sharedFields().forEach(seen::put);

    assertThat(seen.get("a:profile")).isSameAs(value);
    assertThat(record.sharedFields().get("a:profile")).isSameAs(value);
    assertThat(record.version()).isEqualTo(7);
    assertThat(record.field("a:profile").orElseThrow())
        .as("public reads still copy")
        .isNotSameAs(value)
        .isEqualTo(value);
  }

  @Test
  void thePublicMapConstructorStillCopiesIn() {
    byte[] value = bytes("v");
    StateRecord record = new StateRecord("k", Map.of("f", value), 1, null);
    value[0] = 'x';

    assertThat(record.sharedFields().get("f")).isNotSameAs(value).isEqualTo(bytes("v"));
  }

  @Test
  void adoptedFieldsCannotBeAddedToThroughTheRecord() {
    Map<String, byte[]> fields = new LinkedHashMap<>();
    fields.put("f", bytes("v"));
    RecordFields shared = RecordFields.adopt(fields);
    assertThat(shared.names()).containsExactly("f");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> shared.names().add("g"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(RecordFields.copyOf(Map.of()).size()).isZero();
  }
}
