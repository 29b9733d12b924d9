package dev.brownout.degrade;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * What a guarded call carries when it moves to another thread (a timeout's worker) or into a
 * continuation (an asynchronous retry): the caller's MDC, its OpenTelemetry context when
 * OpenTelemetry is on the class path (found reflectively: Brownout does not depend on it), and the
 * {@link IdempotencyKey}. Captured on the caller's thread, installed around the work, and removed
 * after it.
 */
final class CallContext {
  private static final @Nullable Method OTEL_CURRENT;
  private static final @Nullable Method OTEL_MAKE_CURRENT;

  static {
    Method current = null;
    Method makeCurrent = null;
    try {
      Class<?> context = Class.forName("io.opentelemetry.context.Context");
      current = context.getMethod("current");
      makeCurrent = context.getMethod("makeCurrent");
    } catch (ReflectiveOperationException | LinkageError e) {
      // OpenTelemetry is not on the class path: nothing to carry.
    }
    OTEL_CURRENT = current;
    OTEL_MAKE_CURRENT = makeCurrent;
  }

  private final @Nullable Map<String, String> mdc;
  private final @Nullable Object otel;
  private final @Nullable String idempotencyKey;

  private CallContext(
      @Nullable Map<String, String> mdc, @Nullable Object otel, @Nullable String idempotencyKey) {
    this.mdc = mdc;
    this.otel = otel;
    this.idempotencyKey = idempotencyKey;
  }

  /** The context of the calling thread. */
  static CallContext capture() {
    Object otel = null;
    if (OTEL_CURRENT != null) {
      try {
        otel = OTEL_CURRENT.invoke(null);
      } catch (ReflectiveOperationException | RuntimeException e) {
        otel = null;
      }
    }
    return new CallContext(MDC.getCopyOfContextMap(), otel, IdempotencyKey.capture());
  }

  /** Runs {@code work} with this context installed, and removes it after. */
  <T> T call(Callable<T> work) throws Exception {
    Map<String, String> mdcBefore = MDC.getCopyOfContextMap();
    if (mdc != null) {
      MDC.setContextMap(mdc);
    } else {
      MDC.clear();
    }
    String keyBefore = IdempotencyKey.adopt(idempotencyKey);
    AutoCloseable scope = openOtelScope();
    try {
      return work.call();
    } finally {
      if (scope != null) {
        scope.close();
      }
      IdempotencyKey.restore(idempotencyKey, keyBefore);
      if (mdcBefore != null) {
        MDC.setContextMap(mdcBefore);
      } else {
        MDC.clear();
      }
    }
  }

  /** Runs {@code work} with this context installed; a failure is the work's own. */
  void run(Runnable work) {
    try {
      call(
          () -> {
            work.run();
            return null;
          });
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private @Nullable AutoCloseable openOtelScope() {
    if (otel == null || OTEL_MAKE_CURRENT == null) {
      return null;
    }
    try {
      return (AutoCloseable) OTEL_MAKE_CURRENT.invoke(otel);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }
}
