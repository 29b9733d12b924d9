package dev.brownout.degrade;

import dev.brownout.core.metrics.BrownoutMetrics;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A failover chain across vendors: primary, then secondary, …, then a last resort (a queue, a
 * cache, the last good answer). Each provider sits behind a circuit breaker of its own name, so a
 * vendor that is down is skipped at once instead of asked and waited for; a call moves on to the
 * next provider only on a transient failure (I/O, timeout, a refusal), never on a business refusal,
 * so vendor B is not asked for what vendor A declined. Every provider sees the same {@link
 * IdempotencyKey}, and failovers after a real failure draw on the chain's retry budget, so a
 * vendor's brownout is not multiplied onto the next one.
 *
 * <pre>{@code
 * PaymentApi payments =
 *     resilience.failover("payments", PaymentApi.class)
 *         .provider("stripe", stripe)      // behind the breaker "stripe"
 *         .provider("adyen", adyen)        // behind the breaker "adyen"
 *         .lastResort(pendingCharges)      // charges later; may take the failure as a last parameter
 *         .build();
 * }</pre>
 *
 * A provider's breaker is the one declared under its name with {@link
 * Resilience.Builder#circuitBreaker}, or one with the default settings ({@code
 * brownout.degrade.breaker.*}). Methods returning {@code CompletionStage} fail over when their
 * future fails. The chain is an object of the interface, so it can itself be guarded ({@code
 * GuardedProxies}) for a timeout or a fallback around the whole chain.
 */
public final class Failover {
  private Failover() {}

  /** One provider: its name, its client, its breaker. */
  private record Provider(String name, Object client, BreakerHolder breaker) {}

  /**
   * Builds a failover chain. Not thread-safe.
   *
   * @param <T> the interface the providers implement
   */
  public static final class Builder<T> {
    private final String name;
    private final Class<T> api;
    private final Function<String, BreakerHolder> breakers;
    private final Function<String, RetryBudget> budgets;
    private final BrownoutMetrics metrics;
    private final List<Provider> providers = new ArrayList<>();
    private @Nullable Object lastResort;
    private List<Class<? extends Throwable>> failoverOn = List.of();

    Builder(
        String name,
        Class<T> api,
        Function<String, BreakerHolder> breakers,
        Function<String, RetryBudget> budgets,
        BrownoutMetrics metrics) {
      this.name = Objects.requireNonNull(name, "name");
      this.api = Objects.requireNonNull(api, "api");
      if (!api.isInterface()) {
        throw new IllegalArgumentException(
            api.getName() + " is a class; a failover chain is an interface's providers");
      }
      this.breakers = breakers;
      this.budgets = budgets;
      this.metrics = metrics;
    }

    /** The next provider, tried when the ones before it fail; behind the breaker {@code name}. */
    public Builder<T> provider(String name, T client) {
      Objects.requireNonNull(client, "client");
      for (Provider provider : providers) {
        if (provider.name().equals(name)) {
          throw new IllegalArgumentException(
              "failover chain " + this.name + " has a provider named '" + name + "' already");
        }
      }
      providers.add(new Provider(name, client, breakers.apply(name)));
      return this;
    }

    /**
     * What answers when every provider failed: an object with methods of the same names and
     * parameters (optionally a last {@code Throwable} parameter for the failure); it need not
     * implement the whole interface. Checked when the chain is built.
     */
    public Builder<T> lastResort(Object answer) {
      this.lastResort = Objects.requireNonNull(answer, "answer");
      return this;
    }

    /** The failures that move a call to the next provider; default the transient ones. */
    public Builder<T> failoverOn(List<Class<? extends Throwable>> types) {
      this.failoverOn = List.copyOf(types);
      return this;
    }

    /**
     * Builds the chain.
     *
     * @throws IllegalArgumentException if it has no provider, or the last resort lacks a method
     */
    public T build() {
      if (providers.isEmpty()) {
        throw new IllegalArgumentException("failover chain " + name + " needs a provider");
      }
      Map<Method, FallbackMethod> resorts = new HashMap<>();
      for (Method method : api.getMethods()) {
        if (Modifier.isStatic(method.getModifiers())) {
          continue;
        }
        Calls.requireSupportedReturn(method, "failover chain " + name);
        if (lastResort != null) {
          resorts.put(method, FallbackMethod.find("last resort", lastResort, method, api));
        }
      }
      Chain chain =
          new Chain(
              name,
              List.copyOf(providers),
              Map.copyOf(resorts),
              failoverOn,
              budgets.apply(name),
              metrics);
      return api.cast(Proxy.newProxyInstance(api.getClassLoader(), new Class<?>[] {api}, chain));
    }
  }

  /** Calls providers in order. */
  private static final class Chain implements InvocationHandler {
    private final String name;
    private final List<Provider> providers;
    private final Map<Method, FallbackMethod> resorts;
    private final List<Class<? extends Throwable>> failoverOn;
    private final RetryBudget budget;
    private final BrownoutMetrics metrics;

    Chain(
        String name,
        List<Provider> providers,
        Map<Method, FallbackMethod> resorts,
        List<Class<? extends Throwable>> failoverOn,
        RetryBudget budget,
        BrownoutMetrics metrics) {
      this.name = name;
      this.providers = providers;
      this.resorts = resorts;
      this.failoverOn = failoverOn;
      this.budget = budget;
      this.metrics = metrics;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] arguments) throws Throwable {
      if (method.getDeclaringClass() == Object.class) {
        return switch (method.getName()) {
          case "equals" -> proxy == arguments[0];
          case "hashCode" -> System.identityHashCode(proxy);
          case "toString" ->
              "Failover[" + name + " " + providers.stream().map(Provider::name).toList() + "]";
          default -> method.invoke(this, arguments);
        };
      }
      Object[] args = arguments == null ? new Object[0] : arguments;
      boolean async =
          method.getReturnType() == CompletionStage.class
              || method.getReturnType() == CompletableFuture.class;
      IdempotencyKey.Slot idempotency = IdempotencyKey.enter();
      try {
        budget.deposit();
        if (async) {
          CompletableFuture<Object> outcome = new CompletableFuture<>();
          attemptAsync(method, args, 0, null, null, false, CallContext.capture(), outcome);
          return outcome;
        }
        return attempt(method, args);
      } finally {
        IdempotencyKey.exit(idempotency);
      }
    }

    private Object attempt(Method method, Object[] args) throws Throwable {
      Throwable last = null;
      String from = null;
      boolean called = false;
      for (Provider provider : providers) {
        if (!mayMoveOn(from, provider.name(), called, last)) {
          throw last;
        }
        BreakerHolder holder = provider.breaker();
        CircuitBreaker breaker = holder.get();
        if (!holder.tryAcquirePermission(breaker)) {
          last = CallNotPermittedException.createCallNotPermittedException(breaker);
          from = provider.name();
          called = false;
          continue;
        }
        long start = breaker.getCurrentTimestamp();
        try {
          Object result = method.invoke(provider.client(), args);
          holder.onResult(breaker, start, result);
          return result;
        } catch (InvocationTargetException e) {
          Throwable failure = e.getCause();
          holder.onError(breaker, start, failure);
          if (!Failures.matches(failure, failoverOn)) {
            throw failure;
          }
          last = failure;
          from = provider.name();
          called = true;
        }
      }
      FallbackMethod resort = resorts.get(method);
      if (resort == null) {
        throw last;
      }
      metrics.counter(ResilienceMeters.FAILOVERS, name, from, "last-resort").increment();
      return resort.call(args, last);
    }

    /** Whether the call may go on to {@code to}; counts the failover if so. */
    private boolean mayMoveOn(
        @Nullable String from, String to, boolean called, @Nullable Throwable last) {
      if (from == null) {
        return true;
      }
      // A provider that was skipped (its breaker open) added no load: moving on costs nothing.
      if (called && !budget.tryWithdraw()) {
        metrics.counter(ResilienceMeters.BUDGET_EXHAUSTED, name).increment();
        return false;
      }
      metrics.counter(ResilienceMeters.FAILOVERS, name, from, to).increment();
      return last != null;
    }

    private void attemptAsync(
        Method method,
        Object[] args,
        int index,
        @Nullable Throwable last,
        @Nullable String from,
        boolean called,
        CallContext context,
        CompletableFuture<Object> outcome) {
      if (index == providers.size()) {
        FallbackMethod resort = resorts.get(method);
        if (resort == null || last == null) {
          outcome.completeExceptionally(last);
          return;
        }
        metrics.counter(ResilienceMeters.FAILOVERS, name, from, "last-resort").increment();
        forward(context, () -> Calls.start(a -> resort.call(a, last), args), outcome);
        return;
      }
      Provider provider = providers.get(index);
      if (!mayMoveOn(from, provider.name(), called, last)) {
        outcome.completeExceptionally(last);
        return;
      }
      BreakerHolder holder = provider.breaker();
      CircuitBreaker breaker = holder.get();
      if (!holder.tryAcquirePermission(breaker)) {
        attemptAsync(
            method,
            args,
            index + 1,
            CallNotPermittedException.createCallNotPermittedException(breaker),
            provider.name(),
            false,
            context,
            outcome);
        return;
      }
      long start = breaker.getCurrentTimestamp();
      CompletableFuture<Object> call;
      try {
        call =
            context.call(
                () -> Calls.start(a -> invokeUnwrapped(method, provider.client(), a), args));
      } catch (Exception e) {
        call = CompletableFuture.failedFuture(e);
      }
      call.whenComplete(
          (result, failure) -> {
            if (failure == null) {
              holder.onResult(breaker, start, result);
              outcome.complete(result);
              return;
            }
            holder.onError(breaker, start, failure);
            if (!Failures.matches(failure, failoverOn)) {
              outcome.completeExceptionally(failure);
              return;
            }
            attemptAsync(method, args, index + 1, failure, provider.name(), true, context, outcome);
          });
    }

    private static Object invokeUnwrapped(Method method, Object target, Object[] args)
        throws Throwable {
      try {
        return method.invoke(target, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    }

    private static void forward(
        CallContext context,
        java.util.concurrent.Callable<CompletableFuture<Object>> start,
        CompletableFuture<Object> outcome) {
      CompletableFuture<Object> answer;
      try {
        answer = context.call(start);
      } catch (Exception e) {
        answer = CompletableFuture.failedFuture(e);
      }
      answer.whenComplete(
          (result, failure) -> {
            if (failure != null) {
              outcome.completeExceptionally(failure);
            } else {
              outcome.complete(result);
            }
          });
    }
  }
}
