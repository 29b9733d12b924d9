package dev.brownout.spring;

import org.springframework.aop.config.AopConfigUtils;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.type.AnnotationMetadata;

/**
 * Makes sure an auto-proxy creator applies {@link GuardAdvisor}, even with {@code
 * spring.aop.auto=false}: Spring keeps the most capable creator registered (AspectJ's, when Boot's
 * AOP configuration registers it), so this only adds the infrastructure one when there is none, and
 * leaves the application's choice of class or interface proxies alone.
 */
final class GuardProxyRegistrar implements ImportBeanDefinitionRegistrar {
  @Override
  public void registerBeanDefinitions(
      AnnotationMetadata importingClassMetadata, BeanDefinitionRegistry registry) {
    AopConfigUtils.registerAutoProxyCreatorIfNecessary(registry);
  }
}
