package dev.brownout.flags;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.brownout.core.json.CodecException;
import dev.brownout.core.json.JsonCodec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Every definition at once: what {@code GET /api/v1/flags/_export} gives, {@code POST
 * /api/v1/flags/_import} takes, and the bootstrap file holds.
 *
 * <pre>{@code
 * {"flags": [{"key": "new-checkout", …}], "segments": [{"key": "beta-testers", …}]}
 * }</pre>
 *
 * A plain JSON array of flag definitions (the bootstrap file's first format) is read as a bundle
 * without segments.
 *
 * @param flags the flag definitions
 * @param segments the segment definitions
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FlagBundle(List<FlagDefinition> flags, @Nullable List<SegmentDefinition> segments) {

  /** Copies the lists. */
  public FlagBundle {
    flags = Objects.requireNonNullElse(Frozen.list(flags), List.of());
    segments = Frozen.list(segments);
  }

  /** The segments, or none. */
  public List<SegmentDefinition> segmentsOrEmpty() {
    return segments == null ? List.of() : segments;
  }

  /**
   * Reads a bundle, or an array of flag definitions, and validates every definition in it and that
   * no key is defined twice. Whether the segments and prerequisites the flags name exist is checked
   * where the bundle is used (an import checks them against the store too).
   *
   * @throws InvalidFlagException naming every problem
   */
  public static FlagBundle fromJson(String json) {
    Objects.requireNonNull(json, "json");
    String trimmed = json.strip();
    FlagBundle bundle;
    if (trimmed.startsWith("[")) {
      bundle = new FlagBundle(FlagDefinition.listFromJson(json), null);
    } else {
      try {
        bundle = JsonCodec.standard().decode(json, FlagBundle.class);
      } catch (CodecException e) {
        throw new InvalidFlagException("(unreadable)", List.of(e.getMessage()));
      }
      if (bundle == null) {
        throw new InvalidFlagException("(none)", List.of("the JSON is null"));
      }
    }
    List<String> problems = bundle.problems();
    if (!problems.isEmpty()) {
      throw new InvalidFlagException("(bundle)", problems);
    }
    return bundle;
  }

  /** This bundle as JSON. */
  public String toJson() {
    return JsonCodec.standard().encodeToString(this);
  }

  /** Every problem of every definition, and keys defined twice; empty if valid. */
  List<String> problems() {
    List<String> problems = new ArrayList<>();
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < flags.size(); i++) {
      FlagDefinition flag = flags.get(i);
      if (flag == null) {
        problems.add("flags[" + i + "]: is null");
        continue;
      }
      for (String problem : FlagValidator.problems(flag)) {
        problems.add("flags[" + i + "] (" + flag.key() + ")." + problem);
      }
      if (!keys.add(flag.key())) {
        problems.add("flags[" + i + "]: '" + flag.key() + "' is defined twice");
      }
    }
    Set<String> segmentKeys = new HashSet<>();
    List<SegmentDefinition> list = segmentsOrEmpty();
    for (int i = 0; i < list.size(); i++) {
      SegmentDefinition segment = list.get(i);
      if (segment == null) {
        problems.add("segments[" + i + "]: is null");
        continue;
      }
      for (String problem : segment.problems()) {
        problems.add("segments[" + i + "] (" + segment.key() + ")." + problem);
      }
      if (!segmentKeys.add(segment.key())) {
        problems.add("segments[" + i + "]: '" + segment.key() + "' is defined twice");
      }
    }
    return problems;
  }
}
