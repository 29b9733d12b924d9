package dev.brownout.degrade;

import dev.brownout.core.guard.GuardFactory;
import dev.brownout.core.guard.GuardedMethod;
import dev.brownout.core.guard.MethodGuard;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Injects the faults of running experiments into every guarded method, innermost, where the
 * dependency would fail: the timeout, breaker, retry, limiter and fallback around it react as they
 * would to the real thing. A method is known by {@code Interface.method} (simple and fully
 * qualified names). With no experiment running, a call costs one volatile read; with fault
 * injection off, no guard is made at all.
 */
final class FaultGuard implements GuardFactory {
  private final FaultInjection faults;

  FaultGuard(FaultInjection faults) {
    this.faults = faults;
  }

  @Override
  public int order() {
    return FaultInjection.ORDER;
  }

  @Override
  public Optional<MethodGuard> create(GuardedMethod method) {
    if (!faults.enabled()) {
      return Optional.empty();
    }
    Calls.requireSupportedReturn(method, "fault injection");
    String name = method.method().getName();
    List<String> names =
        List.of(method.api().getSimpleName() + "." + name, method.api().getName() + "." + name);
    String operation = method.describe();
    boolean connectDeclared = declares(method, ConnectException.class);
    if (Calls.isAsync(method)) {
      return Optional.of(
          (args, next) -> {
            FaultInjection.Compiled hit = faults.forCall(names);
            if (hit == null) {
              return next.proceed(args);
            }
            return switch (hit.experiment.fault()) {
              case "latency" -> {
                CompletableFuture<Object> outcome = new CompletableFuture<>();
                CallContext context = CallContext.capture();
                faults
                    .scheduler()
                    .schedule(
                        () ->
                            context.run(
                                () ->
                                    Calls.start(next, args)
                                        .whenComplete(
                                            (value, failure) -> {
                                              if (failure != null) {
                                                outcome.completeExceptionally(failure);
                                              } else {
                                                outcome.complete(value);
                                              }
                                            })),
                        hit.experiment.latencyMillis(),
                        TimeUnit.MILLISECONDS);
                yield outcome;
              }
              case "connection" -> CompletableFuture.failedFuture(refused(hit, operation));
              default ->
                  CompletableFuture.failedFuture(
                      new InjectedFaultException(hit.experiment.id(), operation));
            };
          });
    }
    return Optional.of(
        (args, next) -> {
          FaultInjection.Compiled hit = faults.forCall(names);
          if (hit == null) {
            return next.proceed(args);
          }
          switch (hit.experiment.fault()) {
            case "latency" -> Thread.sleep(hit.experiment.latencyMillis());
            case "connection" -> {
              ConnectException refused = refused(hit, operation);
              if (connectDeclared) {
                throw refused;
              }
              throw new UncheckedIOException(refused);
            }
            default -> throw new InjectedFaultException(hit.experiment.id(), operation);
          }
          return next.proceed(args);
        });
  }

  private static ConnectException refused(FaultInjection.Compiled hit, String operation) {
    return new ConnectException(
        "Connection refused: "
            + operation
            + " (injected by fault-injection experiment '"
            + hit.experiment.id()
            + "')");
  }

  /** Whether the method may throw {@code type} as it is (a checked exception it declares). */
  private static boolean declares(GuardedMethod method, Class<? extends Exception> type) {
    for (Class<?> declared : method.method().getExceptionTypes()) {
      if (declared.isAssignableFrom(type)) {
        return true;
      }
    }
    return false;
  }
}
