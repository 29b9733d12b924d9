package dev.brownout.core.internal;

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
}
