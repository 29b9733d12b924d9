package dev.brownout.site;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.core.admin.AdminApi;
import dev.brownout.core.config.CoreConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReferenceGeneratorTest {
  @Test
  void theReferencesListEveryDeclaredKeyAndMeter(@TempDir Path out) throws Exception {
    ReferenceGenerator.generate(Path.of("src/docs"), out);

    String config = Files.readString(out.resolve("reference/configuration.md"));
    for (var key : CoreConfig.keys()) {
      assertThat(config)
          .contains("`" + key.name() + "`")
          .contains("`" + key.environmentVariable() + "`");
    }
    assertThat(Files.readString(out.resolve("reference/metrics.md")))
        .contains(AdminApi.REQUESTS.name());
    assertThat(out.resolve("index.md")).exists();
  }

  @Test
  void theBenchmarkPageDrawsEveryCommittedResultsFile(@TempDir Path out) throws Exception {
    BenchmarkPage.write(Path.of("../benchmarks/results"), out.resolve("benchmarks.md"));

    String page = Files.readString(out.resolve("benchmarks.md"));
    assertThat(page).contains("## flags", "## state", "## core-guards");
    assertThat(page)
        .contains("## session-commands", "| brownout | changed | 2.00 |")
        .contains(
            "## session-cpu", "Client CPU (µs/request)", "| spring-session | unchanged | 8 |");
    assertThat(page)
        .contains("`FlagEvaluationBenchmark.brownout`", "`StateStoreBenchmark.read` | store=redis");
  }
}
