package dev.brownout.state;

/** A registered watch; closing it stops the notifications. */
@FunctionalInterface
public interface Watch extends AutoCloseable {
  @Override
  void close();
}
