package dev.brownout.site;

import dev.brownout.core.ModuleDeclarations;
import dev.brownout.core.config.ConfigKey;
import dev.brownout.core.config.ConfigReference;
import dev.brownout.core.metrics.MeterSpec;
import dev.brownout.core.metrics.MetricsReference;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * Builds the documentation: copies the hand-written pages and writes the configuration and metrics
 * references from what every module on the class path declares, so the reference cannot drift from
 * the code.
 */
public final class ReferenceGenerator {
  private ReferenceGenerator() {}

  /**
   * {@code ReferenceGenerator <pages dir> <output dir> [<benchmark results dir> [<repository
   * root>]]}: with the repository, the admin API reference too.
   */
  public static void main(String[] args) throws IOException {
    if (args.length < 2 || args.length > 4) {
      throw new IllegalArgumentException(
          "usage: ReferenceGenerator <pages dir> <output dir> [<benchmark results dir>"
              + " [<repository root>]]");
    }
    SiteBuilder.delete(Path.of(args[1])); // a page removed from the sources leaves no copy behind
    generate(Path.of(args[0]), Path.of(args[1]));
    if (args.length >= 3) {
      BenchmarkPage.write(Path.of(args[2]), Path.of(args[1]).resolve("benchmarks.md"));
    }
    if (args.length == 4) {
      Files.writeString(
          Path.of(args[1]).resolve("reference/admin-api.md"),
          AdminApiReference.markdown(Path.of(args[3]).toAbsolutePath().normalize()));
    }
  }

  /** Copies {@code pages} to {@code out} and writes {@code out/reference/*.md}. */
  public static void generate(Path pages, Path out) throws IOException {
    Files.createDirectories(out.resolve("reference"));
    try (Stream<Path> files = Files.walk(pages)) {
      for (Path page : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        Path target = out.resolve(pages.relativize(page).toString());
        Files.createDirectories(target.getParent());
        Files.copy(page, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    List<ConfigKey<?>> keys = new ArrayList<>();
    List<MeterSpec> meters = new ArrayList<>();
    List<String> modules = new ArrayList<>();
    for (ModuleDeclarations module : ServiceLoader.load(ModuleDeclarations.class)) {
      modules.add(module.module());
      keys.addAll(module.configKeys());
      meters.addAll(module.meters());
    }
    String generated = "<!-- Generated from the code by ReferenceGenerator; do not edit. -->\n\n";
    Files.writeString(
        out.resolve("reference/configuration.md"),
        generated
            + "# Configuration reference\n\n"
            + "Every key Brownout reads, from the modules "
            + String.join(", ", modules)
            + ". Set a key in `brownout.properties`, as an environment variable, as a system property,"
            + " or in code; later layers win, in that order.\n\n"
            + ConfigReference.markdown(keys));
    Files.writeString(
        out.resolve("reference/metrics.md"),
        generated
            + "# Metrics reference\n\n"
            + "Every meter Brownout registers on your Micrometer registry. Tags are bounded: no user"
            + " ids, session ids or URLs.\n\n"
            + MetricsReference.markdown(meters));
  }
}
