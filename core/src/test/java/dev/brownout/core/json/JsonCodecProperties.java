package dev.brownout.core.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

class JsonCodecProperties {
  record Flag(String key, boolean enabled, int percent, Instant updated) {}

  final JsonCodec codec = JsonCodec.standard();

  @Property(tries = 3000)
  void anyInputDecodesOrFailsWithACodecExceptionThatDoesNotEchoIt(@ForAll String input) {
    try {
      codec.decode(input, Flag.class);
    } catch (CodecException e) {
      assertThat(e.getMessage()).isNotBlank();
      if (input.length() > 12) {
        assertThat(e.getMessage()).doesNotContain(input);
      }
    }
  }

  @Property
  void recordsRoundTrip(@ForAll String key, @ForAll boolean enabled, @ForAll int percent) {
    Flag flag = new Flag(key, enabled, percent, Instant.parse("2026-03-04T05:06:07Z"));

    assertThat(codec.decode(codec.encode(flag), Flag.class)).isEqualTo(flag);
  }

  @Example
  void aSecretTypedWhereJsonBelongsIsNotRepeated() {
    assertThatThrownBy(() -> codec.decode("hunter2-secret-token", Flag.class))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("line 1")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> codec.decode("{\"key\": hunter2-secret}", Flag.class))
        .hasMessageNotContaining("hunter2");
  }

  @Example
  void instantsAreWrittenAsIsoText() {
    assertThat(codec.encodeToString(Map.of("at", Instant.parse("2026-03-04T05:06:07Z"))))
        .isEqualTo("{\"at\":\"2026-03-04T05:06:07Z\"}");
  }

  @Example
  void duplicateKeysAndTrailingContentAreRejected() {
    assertThatThrownBy(() -> codec.decode("{\"key\":\"a\",\"key\":\"b\"}", Map.class))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("malformed JSON");
    assertThatThrownBy(() -> codec.decode("{} {}", Map.class)).isInstanceOf(CodecException.class);
  }

  @Example
  void aMissingPrimitiveIsAnErrorNotAZero() {
    assertThatThrownBy(
            () -> codec.decode("{\"key\":\"a\",\"enabled\":null,\"percent\":1}", Flag.class))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("$.enabled");
  }
}
