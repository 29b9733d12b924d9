package dev.brownout.degrade;

import dev.brownout.core.BrownoutException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** A write was refused because the application is browse-only. */
public class ReadOnlyModeException extends BrownoutException {
  private static final long serialVersionUID = 1L;

  private final transient List<ReadOnlyReason> reasons;
  private final @Nullable Instant retryAfter;

  /** Creates the exception for {@code operation}, refused for {@code reasons}. */
  public ReadOnlyModeException(
      String operation, List<ReadOnlyReason> reasons, @Nullable Instant retryAfter) {
    super(
        operation
            + " is unavailable while the application is browse-only: "
            + String.join("; ", reasons.stream().map(ReadOnlyReason::message).toList()));
    this.reasons = List.copyOf(reasons);
    this.retryAfter = retryAfter;
  }

  /** Why the application is browse-only. */
  public List<ReadOnlyReason> reasons() {
    return reasons;
  }

  /** When writes should work again, if every reason says. */
  public Optional<Instant> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
