package dev.brownout.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes the JSON results of the benchmark programs that are not JMH runs. */
final class ResultsFile {
  private ResultsFile() {}

  /** Writes {@code rows}, each a JSON object, as one JSON array to {@code args[0]} if given. */
  static void write(String[] args, List<String> rows) throws IOException {
    if (args.length == 0) {
      return;
    }
    Path out = Path.of(args[0]);
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, "[\n" + String.join(",\n", rows) + "\n]\n", StandardCharsets.UTF_8);
    System.out.println("Written to " + out);
  }
}
