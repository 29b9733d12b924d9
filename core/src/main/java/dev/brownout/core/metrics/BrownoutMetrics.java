package dev.brownout.core.metrics;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.config.CoreConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers Brownout's meters on the application's {@link MeterRegistry}, checking each against its
 * {@link MeterSpec} and keeping tag values bounded: once a tag of a meter has taken {@code
 * maxTagValues} distinct values, further values are recorded as {@value #OVERFLOW_VALUE} and one
 * warning is logged, so a bug that tags by user id cannot flood the registry.
 *
 * <p>Look meters up once and keep them; the lookup itself is not meant for a hot path. Thread-safe.
 */
public final class BrownoutMetrics {
  /** The tag value recorded once a tag has reached its limit of distinct values. */
  public static final String OVERFLOW_VALUE = "other";

  /** The default limit of distinct values per tag of one meter. */
  public static final int DEFAULT_MAX_TAG_VALUES = 1000;

  private static final Logger log = LoggerFactory.getLogger(BrownoutMetrics.class);

  private final MeterRegistry registry;
  private final int maxTagValues;
  private final ConcurrentHashMap<String, Set<String>> seenValues = new ConcurrentHashMap<>();
  private final Set<String> warned = ConcurrentHashMap.newKeySet();

  private BrownoutMetrics(MeterRegistry registry, int maxTagValues) {
    this.registry = Objects.requireNonNull(registry, "registry");
    if (maxTagValues < 1) {
      throw new IllegalArgumentException("maxTagValues must be at least 1 but was " + maxTagValues);
    }
    this.maxTagValues = maxTagValues;
  }

  /** Meters on {@code registry}, with the default limit of distinct tag values. */
  public static BrownoutMetrics of(MeterRegistry registry) {
    return new BrownoutMetrics(registry, DEFAULT_MAX_TAG_VALUES);
  }

  /** Meters on {@code registry}, with at most {@code maxTagValues} distinct values per tag. */
  public static BrownoutMetrics of(MeterRegistry registry, int maxTagValues) {
    return new BrownoutMetrics(registry, maxTagValues);
  }

  /**
   * Meters on {@code registry}, with the limit of distinct tag values that {@code config} sets
   * ({@code brownout.metrics.max-tag-values}).
   */
  public static BrownoutMetrics of(MeterRegistry registry, BrownoutConfig config) {
    return new BrownoutMetrics(registry, config.getOrDefault(CoreConfig.METRICS_MAX_TAG_VALUES));
  }

  /**
   * Meters kept in memory only, for applications that have no registry of their own, and for tests.
   */
  public static BrownoutMetrics inMemory() {
    return new BrownoutMetrics(new SimpleMeterRegistry(), DEFAULT_MAX_TAG_VALUES);
  }

  /** The registry meters are registered on. */
  public MeterRegistry registry() {
    return registry;
  }

  /** The counter for {@code spec} with {@code tagValues} in the order of its tag keys. */
  public Counter counter(MeterSpec spec, String... tagValues) {
    require(spec, MeterSpec.Kind.COUNTER);
    return Counter.builder(spec.name())
        .description(spec.description())
        .tags(tags(spec, tagValues))
        .register(registry);
  }

  /**
   * A counter for {@code spec} that reads its cumulative count from {@code object}, such as a
   * {@code LongAdder}: for hot paths, where incrementing a {@link Counter} costs more than the work
   * counted. Micrometer holds {@code object} weakly: keep a reference to it.
   */
  public <T> FunctionCounter functionCounter(
      MeterSpec spec, T object, ToDoubleFunction<T> count, String... tagValues) {
    require(spec, MeterSpec.Kind.COUNTER);
    return FunctionCounter.builder(spec.name(), object, count)
        .description(spec.description())
        .tags(tags(spec, tagValues))
        .register(registry);
  }

  /** The timer for {@code spec} with {@code tagValues} in the order of its tag keys. */
  public Timer timer(MeterSpec spec, String... tagValues) {
    require(spec, MeterSpec.Kind.TIMER);
    return Timer.builder(spec.name())
        .description(spec.description())
        .tags(tags(spec, tagValues))
        .register(registry);
  }

  /** The distribution summary for {@code spec}. */
  public DistributionSummary distribution(MeterSpec spec, String... tagValues) {
    require(spec, MeterSpec.Kind.DISTRIBUTION);
    return DistributionSummary.builder(spec.name())
        .description(spec.description())
        .baseUnit(spec.baseUnit().isEmpty() ? null : spec.baseUnit())
        .tags(tags(spec, tagValues))
        .register(registry);
  }

  /**
   * Registers a gauge for {@code spec} that samples {@code value} from {@code object}. Micrometer
   * holds {@code object} weakly: keep a reference to it for as long as the gauge should report.
   */
  public <T> Gauge gauge(MeterSpec spec, T object, ToDoubleFunction<T> value, String... tagValues) {
    require(spec, MeterSpec.Kind.GAUGE);
    return Gauge.builder(spec.name(), object, value)
        .description(spec.description())
        .baseUnit(spec.baseUnit().isEmpty() ? null : spec.baseUnit())
        .tags(tags(spec, tagValues))
        .register(registry);
  }

  private static void require(MeterSpec spec, MeterSpec.Kind kind) {
    if (spec.kind() != kind) {
      throw new IllegalArgumentException(
          spec.name() + " is declared as a " + spec.kind() + ", not a " + kind);
    }
  }

  private Tags tags(MeterSpec spec, String[] values) {
    List<String> keys = spec.tagKeys();
    if (values.length != keys.size()) {
      throw new IllegalArgumentException(
          spec.name()
              + " takes "
              + keys.size()
              + " tag values "
              + keys
              + " but was given "
              + values.length);
    }
    List<Tag> tags = new ArrayList<>(values.length);
    for (int i = 0; i < values.length; i++) {
      tags.add(Tag.of(keys.get(i), bounded(spec.name(), keys.get(i), values[i])));
    }
    return Tags.of(tags);
  }

  private String bounded(String meter, String tagKey, String value) {
    Objects.requireNonNull(value, () -> "value of tag " + tagKey + " of " + meter);
    Set<String> seen =
        seenValues.computeIfAbsent(meter + '\u0000' + tagKey, k -> ConcurrentHashMap.newKeySet());
    if (seen.contains(value)) {
      return value;
    }
    synchronized (seen) {
      if (seen.size() < maxTagValues) {
        seen.add(value);
        return value;
      }
    }
    if (warned.add(meter + '\u0000' + tagKey)) {
      log.warn(
          "Tag '{}' of meter {} has reached its limit of {} distinct values; further values are"
              + " recorded as '{}'. Raise brownout.metrics.max-tag-values if this is expected.",
          tagKey,
          meter,
          maxTagValues,
          OVERFLOW_VALUE);
    }
    return OVERFLOW_VALUE;
  }
}
