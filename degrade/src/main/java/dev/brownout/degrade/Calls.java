package dev.brownout.degrade;

import dev.brownout.core.guard.GuardedMethod;
import dev.brownout.core.guard.Next;
import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;

/**
 * What the guards share about calls: whether a method is asynchronous (returns {@link
 * CompletionStage} or {@link CompletableFuture}, so that its outcome is the future's, not the
 * return), which asynchronous types they refuse, and how a call becomes a future.
 */
final class Calls {
  private Calls() {}

  /** Return types of asynchronous libraries the guards cannot see into: refused at build time. */
  private static final List<String> UNSUPPORTED_PREFIXES =
      List.of(
          "org.reactivestreams.",
          "reactor.core.publisher.",
          "io.reactivex.",
          "io.smallrye.mutiny.",
          "kotlinx.coroutines.",
          "com.google.common.util.concurrent.ListenableFuture",
          "java.util.concurrent.Flow");

  /** Whether calls of {@code method} complete through the future they return. */
  static boolean isAsync(GuardedMethod method) {
    Class<?> type = method.method().getReturnType();
    return type == CompletionStage.class || type == CompletableFuture.class;
  }

  /**
   * Refuses a method whose return type is asynchronous in a way the guards cannot follow: a plain
   * {@link Future}, a subclass of {@link CompletableFuture}, a reactive type.
   *
   * @throws IllegalArgumentException naming the type and what to return instead
   */
  static void requireSupportedReturn(GuardedMethod method, String annotation) {
    requireSupportedReturn(method.method(), annotation);
  }

  /** As {@link #requireSupportedReturn(GuardedMethod, String)}, for a plain method. */
  static void requireSupportedReturn(Method m, String annotation) {
    Class<?> type = m.getReturnType();
    boolean unsupported =
        (Future.class.isAssignableFrom(type) && type != CompletableFuture.class)
            || (CompletionStage.class.isAssignableFrom(type)
                && type != CompletionStage.class
                && type != CompletableFuture.class);
    for (String prefix : UNSUPPORTED_PREFIXES) {
      unsupported |= type.getName().startsWith(prefix);
    }
    if (unsupported) {
      throw new IllegalArgumentException(
          annotation
              + " cannot guard a method returning "
              + type.getName()
              + ": its outcome arrives later, where the guard cannot see it; return"
              + " CompletionStage or CompletableFuture (or a plain value)");
    }
  }

  /** Whether {@code future} has completed, and not exceptionally: its value can be read now. */
  static boolean succeeded(CompletableFuture<?> future) {
    return settled(future) && !future.isCompletedExceptionally();
  }

  /** Whether {@code future} has settled; false for a minimal stage, which cannot say. */
  static boolean settled(CompletableFuture<?> future) {
    try {
      return future.isDone();
    } catch (UnsupportedOperationException e) {
      // A minimal stage (CompletableFuture.completedStage, minimalCompletionStage) answers only
      // through its callbacks: treated as pending, and followed.
      return false;
    }
  }

  /**
   * Runs the rest of the chain for an asynchronous method and returns its outcome as a future: a
   * failure thrown before any future was returned, or a null return, fails the future too.
   */
  static CompletableFuture<Object> start(Next next, Object[] args) {
    Object returned;
    try {
      returned = next.proceed(args);
    } catch (Throwable failure) {
      return CompletableFuture.failedFuture(failure);
    }
    return outcome(returned);
  }

  /**
   * What an asynchronous method returned, as the future {@link #start} gives: a null return fails
   * it; a future already answered is itself; any other stage is followed by a future of ours, which
   * its wrapped failures reach unwrapped.
   */
  static CompletableFuture<Object> outcome(@Nullable Object returned) {
    if (returned == null) {
      return CompletableFuture.failedFuture(
          new NullPointerException("an asynchronous method returned null instead of a future"));
    }
    if (returned instanceof CompletableFuture<?> future && succeeded(future)) {
      // Already answered (a cache, a stub, a vendor that answered at once): nothing to wait for
      // or unwrap, so the future itself is the outcome. The guards never complete it.
      @SuppressWarnings("unchecked")
      CompletableFuture<Object> done = (CompletableFuture<Object>) future;
      return done;
    }
    CompletableFuture<Object> outcome = new CompletableFuture<>();
    ((CompletionStage<?>) returned)
        .whenComplete(
            (value, failure) -> {
              if (failure != null) {
                outcome.completeExceptionally(unwrap(failure));
              } else {
                outcome.complete(value);
              }
            });
    return outcome;
  }

  /** The failure a future's wrapping exception stands for. */
  static Throwable unwrap(Throwable failure) {
    Throwable current = failure;
    while ((current instanceof CompletionException || current instanceof ExecutionException)
        && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }
}
