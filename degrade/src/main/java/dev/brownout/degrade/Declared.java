package dev.brownout.degrade;

import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;

/** Looks up the Resilience4j instance an annotation names, at proxy build time. */
final class Declared {
  private Declared() {}

  /** The instance, or an error naming the annotation, the name and every declared name. */
  static <T> T named(
      String annotation, String name, Optional<T> found, Supplier<Stream<String>> declaredNames) {
    return found.orElseThrow(
        () ->
            new IllegalArgumentException(
                annotation
                    + " names '"
                    + name
                    + "', which is not declared; declared: "
                    + new TreeSet<>(declaredNames.get().toList())));
  }
}
