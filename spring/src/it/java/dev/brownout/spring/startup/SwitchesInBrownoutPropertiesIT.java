package dev.brownout.spring.startup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.core.config.BrownoutConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The starter's switches are read as every Brownout setting is: set in Brownout's own properties
 * file, which Spring's environment never sees, they are obeyed, not ignored.
 */
class SwitchesInBrownoutPropertiesIT {
  @Test
  void switchesSetInBrownoutsOwnFileTurnTheFiltersAndTheAdminApiOff(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("brownout.properties");
    Files.writeString(
        file,
        "brownout.spring.session.enabled=false\n"
            + "brownout.spring.read-mode.enabled=false\n"
            + "brownout.spring.admin.enabled=false\n");
    String before = System.getProperty(BrownoutConfig.CONFIG_FILE_PROPERTY);
    System.setProperty(BrownoutConfig.CONFIG_FILE_PROPERTY, file.toString());
    // Spring Session beside Brownout fails the start unless Brownout's sessions are off.
    try (ConfigurableApplicationContext app =
        new SpringApplicationBuilder(FailingApplications.WithSpringSession.class)
            .web(WebApplicationType.SERVLET)
            .properties("spring.config.name=none", "server.port=0")
            .run()) {
      assertThat(Arrays.asList(app.getBeanDefinitionNames()))
          .as("started, with Brownout's session filter, read-mode filter and admin API off")
          .doesNotContain("brownoutSessionFilter", "brownoutReadModeFilter", "brownoutAdminServlet")
          .contains("brownoutConcurrencyLimitFilter");
    } finally {
      if (before == null) {
        System.clearProperty(BrownoutConfig.CONFIG_FILE_PROPERTY);
      } else {
        System.setProperty(BrownoutConfig.CONFIG_FILE_PROPERTY, before);
      }
    }
  }
}
