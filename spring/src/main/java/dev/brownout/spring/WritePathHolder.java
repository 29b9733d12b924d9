package dev.brownout.spring;

import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.degrade.ReadMode;
import dev.brownout.degrade.WritePath;
import dev.brownout.degrade.WritePathDataSource;
import java.time.Duration;
import java.util.Optional;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The {@link WritePath} of the DataSource that {@code brownout.spring.write-path.data-source}
 * names, built when that bean is wrapped: its probe asks the unwrapped DataSource, so probes do not
 * feed the write path.
 */
public final class WritePathHolder implements AutoCloseable {
  private final ConfigOrigins origins;
  private final ReadMode readMode;
  private final BrownoutMetrics metrics;
  private final Duration probeTimeout;
  private volatile @Nullable WritePath writePath;

  WritePathHolder(
      ConfigOrigins origins, ReadMode readMode, BrownoutMetrics metrics, Duration probeTimeout) {
    this.origins = origins;
    this.readMode = readMode;
    this.metrics = metrics;
    this.probeTimeout = probeTimeout;
  }

  /** The write path, once the DataSource was wrapped; empty when none is watched. */
  public Optional<WritePath> writePath() {
    return Optional.ofNullable(writePath);
  }

  synchronized DataSource wrap(DataSource dataSource) {
    if (writePath != null) {
      throw new IllegalStateException("the write path watches one DataSource only");
    }
    WritePath built =
        WritePath.builder(readMode, WritePathDataSource.probe(dataSource, probeTimeout))
            .config(origins.config())
            .metrics(metrics)
            .build();
    writePath = built;
    return WritePathDataSource.wrap(dataSource, built);
  }

  @Override
  public void close() {
    WritePath built = writePath;
    if (built != null) {
      built.close();
    }
  }
}
