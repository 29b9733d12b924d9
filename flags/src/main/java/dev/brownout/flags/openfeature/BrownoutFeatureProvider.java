package dev.brownout.flags.openfeature;

import dev.brownout.flags.FlagContext;
import dev.brownout.flags.FlagEvaluation;
import dev.brownout.flags.Flags;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.FeatureProvider;
import dev.openfeature.sdk.Metadata;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.openfeature.sdk.Reason;
import dev.openfeature.sdk.Value;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * An OpenFeature provider backed by Brownout {@link Flags}:
 *
 * <pre>{@code
 * OpenFeatureAPI.getInstance().setProviderAndWait(new BrownoutFeatureProvider(flags));
 * Client client = OpenFeatureAPI.getInstance().getClient();
 * boolean on = client.getBooleanValue("new-checkout", false, new ImmutableContext(userId));
 * }</pre>
 *
 * The targeting key becomes the {@link FlagContext} key and every other context value a string
 * attribute. Reasons map to OpenFeature's ({@code DISABLED}, {@code TARGETING_MATCH}, {@code
 * SPLIT}, {@code DEFAULT}, {@code ERROR}); an unknown flag is {@code FLAG_NOT_FOUND} and a flag of
 * another type {@code TYPE_MISMATCH}, both with the caller's default.
 */
@SuppressWarnings("exports")
public final class BrownoutFeatureProvider implements FeatureProvider {
  private final Flags flags;

  /** A provider for {@code flags}. */
  public BrownoutFeatureProvider(Flags flags) {
    this.flags = Objects.requireNonNull(flags, "flags");
  }

  @Override
  public Metadata getMetadata() {
    return () -> "brownout";
  }

  @Override
  public ProviderEvaluation<Boolean> getBooleanEvaluation(
      String key, Boolean defaultValue, EvaluationContext context) {
    return evaluate(key, defaultValue, context, value -> value instanceof Boolean b ? b : null);
  }

  @Override
  public ProviderEvaluation<String> getStringEvaluation(
      String key, String defaultValue, EvaluationContext context) {
    return evaluate(key, defaultValue, context, value -> value instanceof String s ? s : null);
  }

  @Override
  public ProviderEvaluation<Integer> getIntegerEvaluation(
      String key, Integer defaultValue, EvaluationContext context) {
    return evaluate(
        key,
        defaultValue,
        context,
        value ->
            value instanceof Number n && n.doubleValue() == n.intValue() ? n.intValue() : null);
  }

  @Override
  public ProviderEvaluation<Double> getDoubleEvaluation(
      String key, Double defaultValue, EvaluationContext context) {
    return evaluate(
        key, defaultValue, context, value -> value instanceof Number n ? n.doubleValue() : null);
  }

  @Override
  public ProviderEvaluation<Value> getObjectEvaluation(
      String key, Value defaultValue, EvaluationContext context) {
    return evaluate(
        key,
        defaultValue,
        context,
        value -> {
          try {
            return value == null ? null : Value.objectToValue(value);
          } catch (RuntimeException e) {
            return null;
          }
        });
  }

  private <T> ProviderEvaluation<T> evaluate(
      String key, T defaultValue, EvaluationContext context, Function<Object, T> convert) {
    FlagEvaluation result = flags.evaluate(key, toFlagContext(context));
    if (result.reason() == FlagEvaluation.Reason.FLAG_NOT_FOUND) {
      return ProviderEvaluation.<T>builder()
          .value(defaultValue)
          .reason(Reason.ERROR.name())
          .errorCode(ErrorCode.FLAG_NOT_FOUND)
          .errorMessage("no flag '" + key + "'")
          .build();
    }
    T value = convert.apply(result.value());
    if (value == null) {
      return ProviderEvaluation.<T>builder()
          .value(defaultValue)
          .reason(Reason.ERROR.name())
          .errorCode(ErrorCode.TYPE_MISMATCH)
          .errorMessage("flag '" + key + "' does not hold this type")
          .build();
    }
    return ProviderEvaluation.<T>builder()
        .value(value)
        .variant(result.variant())
        .reason(reason(result))
        .build();
  }

  private static String reason(FlagEvaluation result) {
    return switch (result.reason()) {
      case DISABLED -> Reason.DISABLED.name();
      case TARGETING_MATCH, RULE -> Reason.TARGETING_MATCH.name();
      case SPLIT, SPLIT_OUT -> Reason.SPLIT.name();
      case PREREQUISITE_FAILED -> Reason.DISABLED.name();
      case DEFAULT -> Reason.DEFAULT.name();
      default -> Reason.ERROR.name();
    };
  }

  static FlagContext toFlagContext(EvaluationContext context) {
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
            Object raw = value.asObject();
            if (raw != null) {
              builder.attribute(name, raw.toString());
            }
          }
        });
    return builder.build();
  }
}
