package dev.brownout.flags;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * When each flag was last evaluated on this server, learnt from its evaluation counts rather than
 * by timing each evaluation (which would put a clock read and a shared write on the hot path): a
 * sample that finds a flag's count moved notes the time. The times are as precise as the samples
 * are frequent (every refresh, every replacement of a definition, every question).
 */
final class FlagUsage {
  private record Seen(CompiledFlag flag, long count, @Nullable Instant at) {}

  private final Map<String, Seen> seen = new HashMap<>();

  synchronized void sample(FlagSnapshot snapshot, Instant now) {
    Map<String, Seen> next = new HashMap<>();
    for (String key : snapshot.keys()) {
      CompiledFlag flag = snapshot.compiled(key);
      if (flag == null) {
        continue;
      }
      long count = flag.evaluationCount();
      Seen before = seen.get(key);
      Instant at;
      if (before == null) {
        at = count > 0 ? now : null;
      } else if (before.flag() != flag) {
        // A new definition counts from where its outcomes' counters stand: not comparable.
        at = before.at();
      } else {
        at = count != before.count() ? now : before.at();
      }
      next.put(key, new Seen(flag, count, at));
    }
    seen.clear();
    seen.putAll(next);
  }

  synchronized Optional<Instant> lastEvaluated(String key) {
    Seen entry = seen.get(key);
    return entry == null ? Optional.empty() : Optional.ofNullable(entry.at());
  }
}
