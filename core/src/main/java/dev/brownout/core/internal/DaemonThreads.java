package dev.brownout.core.internal;

import java.lang.reflect.Method;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads for Brownout's background work (watch delivery, polling, admin requests): daemon threads,
 * so they never keep an application from exiting, with names that say whose they are.
 */
public final class DaemonThreads {
  private DaemonThreads() {}

  /** Names the first thread {@code name} and later ones {@code name-2}, {@code name-3}, …. */
  public static ThreadFactory named(String name) {
    AtomicInteger count = new AtomicInteger();
    return task -> {
      int n = count.incrementAndGet();
      Thread thread = new Thread(task, n == 1 ? name : name + "-" + n);
      thread.setDaemon(true);
      return thread;
    };
  }

  /**
   * Virtual threads named {@code name-0}, {@code name-1}, … where the JDK has them (21 and later),
   * so that a thread waiting on a slow peer costs almost nothing; daemon platform threads named as
   * by {@link #named(String)} on older JDKs.
   */
  public static ThreadFactory virtualIfAvailable(String name) {
    try {
      Class<?> builder = Class.forName("java.lang.Thread$Builder");
      Object virtual = Thread.class.getMethod("ofVirtual").invoke(null);
      Method prefix = builder.getMethod("name", String.class, long.class);
      Object named = prefix.invoke(virtual, name + "-", 0L);
      return (ThreadFactory) builder.getMethod("factory").invoke(named);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return named(name);
    }
  }

  /** Whether {@link #virtualIfAvailable(String)} makes virtual threads on this JDK. */
  public static boolean virtualThreadsAvailable() {
    try {
      Thread.class.getMethod("ofVirtual");
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }
}
