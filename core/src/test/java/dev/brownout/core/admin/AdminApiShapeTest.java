package dev.brownout.core.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.core.config.BrownoutConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API's builder, wired as every module's is. */
class AdminApiShapeTest {
  static final String TOKEN = "write-token-0123456789abcdef";
  @TempDir Path dir;

  AdminResponse change(AdminApi api) {
    return api.handle(
        AdminRequest.builder("PUT", "/api/v1/things/a")
            .header("Authorization", "Bearer " + TOKEN)
            .build());
  }

  AdminApi.Builder withRoute() {
    return AdminApi.builder()
        .routes(
            AdminRoute.write(
                "PUT",
                "/api/v1/things/{name}",
                "things.put",
                "Put.",
                r -> AdminResponse.noContent()));
  }

  @Test
  void tokensAndTheReasonRuleFromTypedSettersAndFromAPropertiesFileBehaveTheSame()
      throws Exception {
    Path file = dir.resolve("brownout.properties");
    Files.writeString(
        file, "brownout.admin.write-tokens=" + TOKEN + "\nbrownout.admin.require-reason=true\n");
    AdminApi typed = withRoute().writeTokens(List.of(TOKEN)).requireReason(true).build();
    AdminApi configured =
        withRoute().config(BrownoutConfig.builder().propertiesFile(file).build()).build();

    for (AdminApi api : List.of(typed, configured)) {
      AdminResponse response = change(api);
      assertThat(response.status()).isEqualTo(400);
      assertThat(new String(response.body(), java.nio.charset.StandardCharsets.UTF_8))
          .contains("reason-required");
    }
  }

  @Test
  void anAuthenticatorAndTokensTogetherAreRefused() {
    assertThatThrownBy(
            () ->
                AdminApi.builder()
                    .writeTokens(List.of(TOKEN))
                    .authenticator(request -> java.util.Optional.empty())
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("either an authenticator(...) or bearer tokens");
  }

  @Test
  void aShortTokenIsRefusedNamingTheRule() {
    assertThatThrownBy(() -> AdminApi.builder().writeTokens(List.of("short")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("16");
  }
}
