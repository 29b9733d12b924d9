package dev.brownout.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.state.InMemoryStateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The session module wired as every module is: required store, typed setters, config. */
class SessionsModuleShapeTest {
  final InMemoryStateStore store = InMemoryStateStore.create();
  @TempDir Path dir;

  @AfterEach
  void close() {
    store.close();
  }

  BrownoutConfig fromFile(String properties) throws Exception {
    Path file = dir.resolve("brownout.properties");
    Files.writeString(file, properties);
    return BrownoutConfig.builder().propertiesFile(file).build();
  }

  @Test
  void buildingWithoutAStoreFailsNamingIt() {
    assertThatThrownBy(() -> Sessions.builder(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("Sessions.builder(store) needs the store")
        .hasMessageContaining("InMemoryStateStore.create()");
  }

  @Test
  void aTypedSetterAndTheSameKeysFromAPropertiesFileGiveTheSameSessions() throws Exception {
    BrownoutConfig config =
        fromFile("brownout.session.cookie.name=BOOKING\nbrownout.session.max-inactive=10m\n");
    try (Sessions typed =
            Sessions.builder(store)
                .cookieName("BOOKING")
                .maxInactive(Duration.ofMinutes(10))
                .build();
        Sessions configured = Sessions.builder(store).config(config).build()) {
      assertThat(typed.cookieName()).isEqualTo(configured.cookieName()).isEqualTo("BOOKING");
      assertThat(typed.maxInactive()).isEqualTo(configured.maxInactive()).hasMinutes(10);
    }
  }

  @Test
  void anInconsistentSettingNamesTheKeysValuesAndOrigins() throws Exception {
    BrownoutConfig config = fromFile("brownout.session.store-down=serve-cached\n");
    assertThatThrownBy(() -> Sessions.builder(store).config(config).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("brownout.session.store-down = serve-cached (from file")
        .hasMessageContaining("brownout.session.near-cache.size = 0 (from default)")
        .hasMessageContaining("set brownout.session.near-cache.size above 0");
    assertThatThrownBy(() -> Sessions.builder(store).cookieSameSite("Sometimes").build())
        .hasMessageContaining("brownout.session.cookie.same-site = Sometimes (from code)");
  }
}
