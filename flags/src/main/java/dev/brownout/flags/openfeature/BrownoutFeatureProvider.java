package dev.brownout.flags.openfeature;

import dev.brownout.flags.FlagContext;
import dev.brownout.flags.FlagEvaluation;
import dev.brownout.flags.FlagType;
import dev.brownout.flags.Flags;
import dev.brownout.flags.FlagsListener;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.EventProvider;
import dev.openfeature.sdk.ImmutableMetadata;
import dev.openfeature.sdk.Metadata;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.openfeature.sdk.ProviderEventDetails;
import dev.openfeature.sdk.Reason;
import dev.openfeature.sdk.Value;
import dev.openfeature.sdk.exceptions.GeneralError;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * An OpenFeature provider backed by Brownout {@link Flags}:
 *
 * <pre>{@code
 * OpenFeatureAPI.getInstance().setProviderAndWait(new BrownoutFeatureProvider(flags));
 * Client client = OpenFeatureAPI.getInstance().getClient();
 * boolean on = client.getBooleanValue("new-checkout", false, new ImmutableContext(userId));
 * }</pre>
 *
 * <p>What it reports, after the OpenFeature specification's provider requirements:
 *
 * <ul>
 *   <li><b>Reasons</b>: {@code STATIC} for a flag that asks nothing of the unit, {@code
 *       TARGETING_MATCH} for a target, a rule or a failed prerequisite, {@code SPLIT} for a
 *       percentage rollout, {@code DEFAULT} for the fallthrough of a flag with targeting, {@code
 *       DISABLED} for a killed flag, {@code ERROR} with an error code otherwise.
 *   <li><b>Error codes</b>, always with the caller's default: {@code FLAG_NOT_FOUND}; {@code
 *       TYPE_MISMATCH} when the flag's declared type (its variants) is not the one asked for,
 *       whatever this unit would get: an integer read needs whole numbers within an int, a double
 *       read any numbers, an object read JSON.
 *   <li><b>Flag metadata</b>: {@code flagVersion} (the stored version, the admin API's ETag),
 *       {@code ruleId} when a rule decided, and {@code brownoutReason}, Brownout's own reason.
 *   <li><b>Status and events</b>: initialising fails, so the provider is {@code ERROR}, while the
 *       store cannot be read (the flags still serve their bootstrap file, or the caller's
 *       defaults); {@code PROVIDER_READY} when the store answers, {@code PROVIDER_STALE} when it
 *       stops answering after that, {@code PROVIDER_CONFIGURATION_CHANGED} with the changed keys
 *       whenever definitions change.
 * </ul>
 *
 * The targeting key becomes the {@link FlagContext} key, and every other context value a string
 * attribute (numbers as their decimal text, instants in ISO-8601, so the numeric and date operators
 * read them); lists and structures cannot be tested by rules and are left out.
 */
@SuppressWarnings("exports")
public final class BrownoutFeatureProvider extends EventProvider {
  /** The provider's name, in its metadata. */
  public static final String NAME = "brownout";

  private final Flags flags;
  private volatile @Nullable AutoCloseable subscription;
  private volatile boolean ready;

  /** A provider for {@code flags}. */
  public BrownoutFeatureProvider(Flags flags) {
    this.flags = Objects.requireNonNull(flags, "flags");
  }

  @Override
  public Metadata getMetadata() {
    return () -> NAME;
  }

  /**
   * Starts listening to the flags.
   *
   * @throws GeneralError if the store cannot be read now: the provider starts in {@code ERROR} and
   *     turns {@code READY} when the store answers
   */
  @Override
  public void initialize(EvaluationContext evaluationContext) throws Exception {
    if (subscription == null) {
      subscription = flags.subscribe(new Events());
    }
    if (!flags.storeAvailable() || !flags.loaded()) {
      ready = false;
      throw new GeneralError(
          "the flag store cannot be read"
              + (flags.loaded()
                  ? "; serving " + flags.snapshot().size() + " flags from the bootstrap file"
                  : "; every flag gives the caller's default")
              + " until it answers");
    }
    ready = true;
  }

  @Override
  public void shutdown() {
    AutoCloseable listening = subscription;
    subscription = null;
    ready = false;
    if (listening != null) {
      try {
        listening.close();
      } catch (Exception e) {
        // nothing to release beyond the subscription
      }
    }
    super.shutdown();
  }

  /** Turns the flags' events into OpenFeature's. */
  private final class Events implements FlagsListener {
    @Override
    public void flagsChanged(Set<String> changed) {
      emitProviderConfigurationChanged(
          ProviderEventDetails.builder()
              .flagsChanged(new ArrayList<>(changed))
              .message("flag definitions changed")
              .build());
    }

    @Override
    public void storeUnavailable(String reason) {
      if (ready) {
        emitProviderStale(
            ProviderEventDetails.builder()
                .message(
                    "the flag store stopped answering; serving the last known flags: " + reason)
                .build());
      }
    }

    @Override
    public void storeAvailable() {
      if (flags.loaded()) {
        ready = true;
        emitProviderReady(ProviderEventDetails.builder().message("the flag store answers").build());
      }
    }
  }

  @Override
  public ProviderEvaluation<Boolean> getBooleanEvaluation(
      String key, Boolean defaultValue, EvaluationContext context) {
    return evaluate(key, defaultValue, context, Set.of(FlagType.BOOLEAN), v -> (Boolean) v);
  }

  @Override
  public ProviderEvaluation<String> getStringEvaluation(
      String key, String defaultValue, EvaluationContext context) {
    return evaluate(key, defaultValue, context, Set.of(FlagType.STRING), v -> (String) v);
  }

  @Override
  public ProviderEvaluation<Integer> getIntegerEvaluation(
      String key, Integer defaultValue, EvaluationContext context) {
    if (!fitsInt(key)) {
      return mismatch(key, defaultValue, "integer (whole numbers within an int)");
    }
    return evaluate(
        key, defaultValue, context, Set.of(FlagType.INTEGER), v -> ((Number) v).intValue());
  }

  @Override
  public ProviderEvaluation<Long> getLongEvaluation(
      String key, Long defaultValue, EvaluationContext context) {
    return evaluate(
        key, defaultValue, context, Set.of(FlagType.INTEGER), v -> ((Number) v).longValue());
  }

  @Override
  public ProviderEvaluation<Double> getDoubleEvaluation(
      String key, Double defaultValue, EvaluationContext context) {
    return evaluate(
        key,
        defaultValue,
        context,
        Set.of(FlagType.INTEGER, FlagType.NUMBER),
        v -> ((Number) v).doubleValue());
  }

  @Override
  public ProviderEvaluation<Value> getObjectEvaluation(
      String key, Value defaultValue, EvaluationContext context) {
    return evaluate(key, defaultValue, context, Set.of(FlagType.JSON), Value::objectToValue);
  }

  private boolean fitsInt(String key) {
    return flags
        .snapshot()
        .definition(key)
        .map(
            definition ->
                definition.variantsOrDefault().values().stream()
                    .allMatch(
                        v ->
                            v instanceof Number n
                                && n.doubleValue() == Math.rint(n.doubleValue())
                                && n.doubleValue() >= Integer.MIN_VALUE
                                && n.doubleValue() <= Integer.MAX_VALUE))
        // An unknown flag is reported as such by evaluate().
        .orElse(true);
  }

  private <T> ProviderEvaluation<T> evaluate(
      String key,
      T defaultValue,
      EvaluationContext context,
      Set<FlagType> wanted,
      Function<Object, T> convert) {
    FlagEvaluation result = flags.evaluate(key, toFlagContext(context));
    FlagType type = flags.snapshot().type(key).orElse(null);
    if (result.reason() == FlagEvaluation.Reason.FLAG_NOT_FOUND || type == null) {
      return ProviderEvaluation.<T>builder()
          .value(defaultValue)
          .reason(Reason.ERROR.name())
          .errorCode(ErrorCode.FLAG_NOT_FOUND)
          .errorMessage("no flag '" + key + "'")
          .build();
    }
    if (!wanted.contains(type) || result.value() == null) {
      return mismatch(
          key, defaultValue, wanted.iterator().next().name().toLowerCase(java.util.Locale.ROOT));
    }
    ImmutableMetadata.ImmutableMetadataBuilder metadata =
        ImmutableMetadata.builder().addString("brownoutReason", result.reason().name());
    if (result.version() >= 0) {
      metadata.addLong("flagVersion", result.version());
    }
    if (result.ruleId() != null) {
      metadata.addString("ruleId", result.ruleId());
    }
    T value;
    try {
      value = convert.apply(result.value());
    } catch (RuntimeException e) {
      return ProviderEvaluation.<T>builder()
          .value(defaultValue)
          .reason(Reason.ERROR.name())
          .errorCode(ErrorCode.TYPE_MISMATCH)
          .errorMessage("flag '" + key + "' holds a value OpenFeature cannot represent: " + e)
          .build();
    }
    return ProviderEvaluation.<T>builder()
        .value(value)
        .variant(result.variant())
        .reason(reason(result))
        .flagMetadata(metadata.build())
        .build();
  }

  private <T> ProviderEvaluation<T> mismatch(String key, T defaultValue, String asked) {
    FlagType type = flags.snapshot().type(key).orElse(FlagType.STRING);
    return ProviderEvaluation.<T>builder()
        .value(defaultValue)
        .reason(Reason.ERROR.name())
        .errorCode(ErrorCode.TYPE_MISMATCH)
        .errorMessage(
            "flag '"
                + key
                + "' holds "
                + type.name().toLowerCase(java.util.Locale.ROOT)
                + " values, not "
                + asked)
        .build();
  }

  private static String reason(FlagEvaluation result) {
    return switch (result.reason()) {
      case STATIC -> Reason.STATIC.name();
      case DISABLED -> Reason.DISABLED.name();
      case TARGETING_MATCH, RULE, PREREQUISITE_FAILED -> Reason.TARGETING_MATCH.name();
      case SPLIT, SPLIT_OUT -> Reason.SPLIT.name();
      case DEFAULT -> Reason.DEFAULT.name();
      default -> Reason.ERROR.name();
    };
  }

  static FlagContext toFlagContext(@Nullable EvaluationContext context) {
    if (context == null) {
      return FlagContext.anonymous();
    }
    String key = context.getTargetingKey();
    Map<String, Value> values = context.asMap();
    if (values.isEmpty() || (values.size() == 1 && values.containsKey("targetingKey"))) {
      return key == null || key.isEmpty() ? FlagContext.anonymous() : FlagContext.of(key);
    }
    FlagContext.Builder builder = FlagContext.builder(key == null ? "" : key);
    values.forEach(
        (name, value) -> {
          if (value != null && !"targetingKey".equals(name)) {
            String text = text(value);
            if (text != null) {
              builder.attribute(name, text);
            }
          }
        });
    return builder.build();
  }

  private static @Nullable String text(Value value) {
    if (value.isString()) {
      return value.asString();
    }
    if (value.isBoolean()) {
      return Boolean.toString(value.asBoolean());
    }
    if (value.isNumber()) {
      Object raw = value.asObject();
      if (raw instanceof Integer || raw instanceof Long) {
        return raw.toString();
      }
      double number = value.asDouble();
      return number == Math.rint(number) && Math.abs(number) < 1e15
          ? Long.toString((long) number)
          : Double.toString(number);
    }
    if (value.isInstant()) {
      Instant instant = value.asInstant();
      return instant == null ? null : instant.toString();
    }
    return null;
  }
}
