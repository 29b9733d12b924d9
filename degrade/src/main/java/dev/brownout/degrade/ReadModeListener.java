package dev.brownout.degrade;

import java.util.List;

/**
 * Told when the mode changes, so the application can pause what writes in the background
 * (schedulers, message consumers) and resume it after. Called on a Brownout thread; return quickly.
 */
@FunctionalInterface
public interface ReadModeListener {

  /** The mode changed to {@code mode}, for {@code reasons} (empty when back to read-write). */
  void modeChanged(Mode mode, List<ReadOnlyReason> reasons);
}
