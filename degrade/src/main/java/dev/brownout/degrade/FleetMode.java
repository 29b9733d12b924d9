package dev.brownout.degrade;

/**
 * How a server's own automatic browse-only reason (its write path failing) affects the other
 * servers: {@code brownout.degrade.write-path.fleet}. Manual and maintenance reasons always hold
 * for the whole fleet.
 */
public enum FleetMode {
  /**
   * Each server is browse-only on its own automatic reason only: one server with a local connection
   * fault browns out itself, not the fleet. The default.
   */
  OWN,
  /** Any server's automatic reason makes every server browse-only. */
  ANY,
  /**
   * Every server is browse-only while more than {@code brownout.degrade.write-path.quorum} of the
   * live servers report their write path failing (servers announce themselves in the store).
   */
  QUORUM
}
