package dev.brownout.degrade;

import dev.brownout.core.guard.GuardFactory;
import dev.brownout.core.guard.GuardedMethod;
import dev.brownout.core.guard.MethodGuard;
import java.lang.annotation.Annotation;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.MDC;

/** Applies {@link Timeout}: an attempt runs on another thread and is abandoned at its deadline. */
final class TimeoutGuard implements GuardFactory {
  private final ExecutorService threads;

  TimeoutGuard(ExecutorService threads) {
    this.threads = threads;
  }

  @Override
  public int order() {
    return Timeout.ORDER;
  }

  @Override
  public Set<Class<? extends Annotation>> handles() {
    return Set.of(Timeout.class);
  }

  @Override
  public Optional<MethodGuard> create(GuardedMethod method) {
    Optional<Timeout> annotation = method.annotation(Timeout.class);
    if (annotation.isEmpty()) {
      return Optional.empty();
    }
    long millis = annotation.get().millis();
    if (millis < 1) {
      throw new IllegalArgumentException("@Timeout must be at least 1 ms but was " + millis);
    }
    String operation = method.describe();
    return Optional.of(
        (args, next) -> {
          Map<String, String> mdc = MDC.getCopyOfContextMap();
          Future<Object> attempt =
              threads.submit(
                  () -> {
                    if (mdc != null) {
                      MDC.setContextMap(mdc);
                    }
                    try {
                      return next.proceed(args);
                    } catch (Exception e) {
                      throw e;
                    } catch (Throwable t) {
                      throw new ExecutionException(t);
                    } finally {
                      MDC.clear();
                    }
                  });
          try {
            return attempt.get(millis, TimeUnit.MILLISECONDS);
          } catch (TimeoutException e) {
            attempt.cancel(true);
            throw new CallTimeoutException(operation, millis);
          } catch (InterruptedException e) {
            attempt.cancel(true);
            Thread.currentThread().interrupt();
            throw e;
          } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof ExecutionException wrapped && wrapped.getCause() != null
                ? wrapped.getCause()
                : cause;
          }
        });
  }
}
