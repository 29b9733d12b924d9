package dev.brownout.spring;

import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.ApplicationContextException;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Wraps the DataSource bean named by {@code brownout.spring.write-path.data-source} in a {@code
 * WritePathDataSource}, so that its failures (a read-only database, lost connections) put this
 * server in browse-only mode; a name that matches no DataSource bean fails the start.
 */
final class WritePathPostProcessor
    implements BeanPostProcessor, BeanFactoryAware, SmartInitializingSingleton {
  private final @Nullable String beanName;
  private final @Nullable String origin;
  private @Nullable BeanFactory beanFactory;
  private volatile boolean wrapped;

  WritePathPostProcessor(ConfigurableEnvironment environment) {
    var found =
        EnvironmentConfig.find(environment, StarterConfig.WRITE_PATH_DATA_SOURCE.name(), false);
    this.beanName = found.map(EnvironmentConfig.Found::text).orElse(null);
    this.origin = found.map(EnvironmentConfig.Found::origin).orElse(null);
  }

  @Override
  public void setBeanFactory(BeanFactory beanFactory) {
    this.beanFactory = beanFactory;
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String name) throws BeansException {
    if (beanName == null || !beanName.equals(name) || !(bean instanceof DataSource dataSource)) {
      return bean;
    }
    wrapped = true;
    return beanFactory.getBean(WritePathHolder.class).wrap(dataSource);
  }

  @Override
  public void afterSingletonsInstantiated() {
    if (beanName != null && !wrapped) {
      throw new ApplicationContextException(
          StarterConfig.WRITE_PATH_DATA_SOURCE.name()
              + " = "
              + beanName
              + " (from "
              + origin
              + "): there is no DataSource bean of that name to watch; name the application's"
              + " DataSource bean (dataSource, for Spring Boot's own)");
    }
  }
}
