package dev.brownout.spring;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.config.ConfigKey;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * The condition of {@link ConditionalOnBrownoutSetting}. A value that cannot be read (not a value
 * of its key's type, a broken {@code brownout.properties}) matches, so that the starter's config
 * bean is built and reports the problem with its origin, as it does for every other key.
 */
final class OnBrownoutSetting implements Condition {
  @Override
  public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
    Map<String, Object> attributes =
        Objects.requireNonNull(
            metadata.getAnnotationAttributes(ConditionalOnBrownoutSetting.class.getName()));
    String name = (String) attributes.get("name");
    String wanted = (String) attributes.get("havingValue");
    try {
      return value(context, name)
          .map(
              text -> {
                ConfigKey<?> key = StarterConfig.key(name);
                return Objects.equals(key.type().parse(text), key.type().parse(wanted));
              })
          .orElse(true);
    } catch (RuntimeException e) {
      return true;
    }
  }

  /** The setting's text from Spring's environment, else from Brownout's own sources. */
  private static Optional<String> value(ConditionContext context, String name) {
    if (context.getEnvironment() instanceof ConfigurableEnvironment environment) {
      Optional<EnvironmentConfig.Found> found = EnvironmentConfig.find(environment, name, false);
      if (found.isPresent()) {
        return Optional.of(found.get().text());
      }
    } else {
      String text = context.getEnvironment().getProperty(name);
      if (text != null) {
        return Optional.of(text);
      }
    }
    BrownoutConfig config = BrownoutConfig.builder().standardSources().build();
    return Optional.of(format(config, StarterConfig.key(name)));
  }

  private static <T> String format(BrownoutConfig config, ConfigKey<T> key) {
    return key.type().format(config.get(key));
  }
}
