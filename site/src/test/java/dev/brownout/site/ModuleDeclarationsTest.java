package dev.brownout.site;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.core.ModuleDeclarations;
import dev.brownout.core.config.ConfigKey;
import dev.brownout.core.metrics.MeterSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every library module in the BOM declares its keys and meters, so that the generated references
 * cover it: a module that adds a setting or a meter without declaring it fails here.
 */
class ModuleDeclarationsTest {
  /** Test helpers in the BOM that read no configuration and register no meters. */
  static final Set<String> TEST_SUPPORT =
      Set.of("brownout-state-testkit", "brownout-state-testservers");

  static List<String> bomArtifacts() throws Exception {
    String bom = Files.readString(Path.of("../bom/pom.xml"));
    Matcher matcher = Pattern.compile("<artifactId>(brownout-[a-z-]+)</artifactId>").matcher(bom);
    List<String> artifacts = new ArrayList<>();
    while (matcher.find()) {
      if (!matcher.group(1).equals("brownout-bom")) {
        artifacts.add(matcher.group(1));
      }
    }
    return artifacts;
  }

  @Test
  void everyLibraryModuleInTheBomContributesKeysOrMetersToTheReferences(@TempDir Path out)
      throws Exception {
    Map<String, ModuleDeclarations> byArtifact = new HashMap<>();
    for (ModuleDeclarations module : ServiceLoader.load(ModuleDeclarations.class)) {
      byArtifact.put("brownout-" + module.module(), module);
    }
    List<String> artifacts = bomArtifacts();
    assertThat(artifacts).contains("brownout-core", "brownout-flags", "brownout-session");

    ReferenceGenerator.generate(Path.of("src/docs"), out);
    String configuration = Files.readString(out.resolve("reference/configuration.md"));
    String metrics = Files.readString(out.resolve("reference/metrics.md"));
    Set<String> keys = new HashSet<>();
    for (String artifact : artifacts) {
      if (TEST_SUPPORT.contains(artifact)) {
        assertThat(byArtifact).as(artifact + " is test support").doesNotContainKey(artifact);
        continue;
      }
      ModuleDeclarations module = byArtifact.get(artifact);
      assertThat(module)
          .as("%s declares its keys and meters in a ModuleDeclarations service", artifact)
          .isNotNull();
      assertThat(module.configKeys().size() + module.meters().size())
          .as("what %s contributes to the references", artifact)
          .isPositive();
      for (ConfigKey<?> key : module.configKeys()) {
        assertThat(keys.add(key.name())).as("%s is declared once", key.name()).isTrue();
        assertThat(configuration).contains("`" + key.name() + "`");
      }
      for (MeterSpec meter : module.meters()) {
        assertThat(metrics).contains("`" + meter.name() + "`");
      }
    }
  }

  @Test
  void theFlagsModulesKeysAndMetersAreInTheReferences(@TempDir Path out) throws Exception {
    ReferenceGenerator.generate(Path.of("src/docs"), out);
    assertThat(Files.readString(out.resolve("reference/configuration.md")))
        .contains("`brownout.flags.refresh-interval`", "`brownout.flags.bootstrap-file`");
    assertThat(Files.readString(out.resolve("reference/metrics.md")))
        .contains(
            "`brownout.feature_flag.evaluations`",
            "`brownout.feature_flag.unknown`",
            "`brownout.feature_flag.snapshot.staleness`",
            "`brownout.feature_flag.invalid`");
  }
}
