package dev.brownout.spring;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.config.ConfigKey;
import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * The condition of {@link ConditionalOnBrownoutSetting}: the setting's value in the config the
 * starter builds ({@link EnvironmentConfig#load}: Spring's environment over Brownout's layers). A
 * config that cannot be built matches, so that the starter's config bean is built and reports the
 * problems with their origins, as it does for every key.
 */
final class OnBrownoutSetting implements Condition {
  // The last environment's config: the conditions of one start all read the same one, and
  // building it again for each would repeat its warnings. Weakly held: a closed application's
  // environment is not kept.
  private static final Object LOCK = new Object();
  private static WeakReference<Environment> lastEnvironment = new WeakReference<>(null);
  private static @Nullable BrownoutConfig lastConfig;

  @Override
  public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
    Map<String, Object> attributes =
        Objects.requireNonNull(
            metadata.getAnnotationAttributes(ConditionalOnBrownoutSetting.class.getName()));
    String name = (String) attributes.get("name");
    String wanted = (String) attributes.get("havingValue");
    if (!(context.getEnvironment() instanceof ConfigurableEnvironment environment)) {
      return true;
    }
    try {
      ConfigKey<?> key = StarterConfig.key(name);
      return Objects.equals(config(environment).get(key), key.type().parse(wanted));
    } catch (RuntimeException e) {
      return true;
    }
  }

  private static BrownoutConfig config(ConfigurableEnvironment environment) {
    synchronized (LOCK) {
      BrownoutConfig config = lastConfig;
      if (config == null || lastEnvironment.get() != environment) {
        config = EnvironmentConfig.load(environment).config();
        lastConfig = config;
        lastEnvironment = new WeakReference<>(environment);
      }
      return config;
    }
  }
}
