package dev.brownout.flags.junit;

import dev.brownout.flags.FlagAdmin;
import dev.brownout.flags.FlagDefinition;
import dev.brownout.flags.Flags;
import dev.brownout.state.InMemoryStateStore;
import java.lang.reflect.AnnotatedElement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Gives each test a fresh {@link Flags} on its own in-memory store, as a parameter, with the flags
 * its annotations set. Class annotations apply to every test; a method's annotation for the same
 * flag wins.
 *
 * <pre>{@code
 * @ExtendWith(BrownoutFlagsExtension.class)
 * @FlagOn("new-checkout")
 * class CheckoutTest {
 *   @Test
 *   @FlagOff("new-checkout")
 *   void theOldCheckoutStillWorks(Flags flags) {
 *     var checkout = new Checkout(flags);
 *     ...
 *   }
 * }
 * }</pre>
 *
 * Tests can change flags further through {@code flags.admin()}; nothing leaks to the next test.
 */
@SuppressWarnings("exports")
public final class BrownoutFlagsExtension
    implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(BrownoutFlagsExtension.class);

  /** Used by JUnit. */
  public BrownoutFlagsExtension() {}

  @Override
  public void beforeEach(ExtensionContext context) {
    Map<String, FlagDefinition> definitions = new LinkedHashMap<>();
    context.getTestClass().ifPresent(type -> collect(type, definitions));
    context.getTestMethod().ifPresent(method -> collect(method, definitions));
    InMemoryStateStore store = InMemoryStateStore.create();
    Flags flags = Flags.builder(store).build();
    FlagAdmin admin = flags.admin();
    definitions.values().forEach(admin::create);
    context.getStore(NAMESPACE).put(Flags.class, flags);
    context.getStore(NAMESPACE).put(InMemoryStateStore.class, store);
  }

  private static void collect(AnnotatedElement element, Map<String, FlagDefinition> into) {
    List<FlagDefinition> found = new ArrayList<>();
    for (FlagOn on : AnnotationSupport.findRepeatableAnnotations(element, FlagOn.class)) {
      found.add(FlagDefinition.on(on.value()));
    }
    for (FlagOff off : AnnotationSupport.findRepeatableAnnotations(element, FlagOff.class)) {
      found.add(FlagDefinition.on(off.value()).withEnabled(false));
    }
    for (FlagValue value : AnnotationSupport.findRepeatableAnnotations(element, FlagValue.class)) {
      found.add(
          FlagDefinition.builder(value.flag())
              .variant("value", value.value())
              .variant("off", value.value())
              .offVariant("off")
              .fallthrough(FlagDefinition.Serve.variant("value"))
              .build());
    }
    for (FlagDefinition definition : found) {
      into.put(definition.key(), definition);
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    Flags flags = context.getStore(NAMESPACE).remove(Flags.class, Flags.class);
    if (flags != null) {
      flags.close();
    }
    InMemoryStateStore store =
        context.getStore(NAMESPACE).remove(InMemoryStateStore.class, InMemoryStateStore.class);
    if (store != null) {
      store.close();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Flags.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context.getStore(NAMESPACE).get(Flags.class, Flags.class);
  }
}
