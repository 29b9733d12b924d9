package dev.brownout.degrade;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
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
  // Method handles in static finals: the JIT inlines them, where a reflective call costs a lookup.
  private static final @Nullable MethodHandle OTEL_CURRENT;
  private static final @Nullable MethodHandle OTEL_MAKE_CURRENT;

  static {
    MethodHandle current = null;
    MethodHandle makeCurrent = null;
    try {
      Class<?> context = Class.forName("io.opentelemetry.context.Context");
      Class<?> scope = Class.forName("io.opentelemetry.context.Scope");
      MethodHandles.Lookup lookup = MethodHandles.publicLookup();
      current =
          lookup
              .findStatic(context, "current", MethodType.methodType(context))
              .asType(MethodType.methodType(Object.class));
      makeCurrent =
          lookup
              .findVirtual(context, "makeCurrent", MethodType.methodType(scope))
              .asType(MethodType.methodType(AutoCloseable.class, Object.class));
    } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
      // OpenTelemetry is not on the class path: nothing to carry.
      current = null;
      makeCurrent = null;
    }
    OTEL_CURRENT = current;
    OTEL_MAKE_CURRENT = makeCurrent;
  }

  private final @Nullable Map<String, String> mdc;
  private final @Nullable Object otel;
  private final IdempotencyKey.@Nullable Key idempotencyKey;

  private CallContext(
      @Nullable Map<String, String> mdc,
      @Nullable Object otel,
      IdempotencyKey.@Nullable Key idempotencyKey) {
    this.mdc = mdc;
    this.otel = otel;
    this.idempotencyKey = idempotencyKey;
  }

  /** The context of the calling thread. */
  static CallContext capture() {
    Object otel = null;
    if (OTEL_CURRENT != null) {
      try {
        otel = (Object) OTEL_CURRENT.invokeExact();
      } catch (Error e) {
        throw e;
      } catch (Throwable e) {
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
    IdempotencyKey.Key keyBefore = IdempotencyKey.adopt(idempotencyKey);
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
      return (AutoCloseable) OTEL_MAKE_CURRENT.invokeExact(otel);
    } catch (Error e) {
      throw e;
    } catch (Throwable e) {
      return null;
    }
  }
}
