package dev.brownout.spring.bench;

/** The three beans the benchmark calls: the same work, guarded two ways and not at all. */
public final class Services {
  private Services() {}

  /** Guarded by Brownout. */
  public static class Brownout {
    /** The call. */
    @dev.brownout.degrade.CircuitBreaker("bench")
    @dev.brownout.degrade.Retry("bench")
    public String call(String value) {
      return value;
    }
  }

  /** Guarded by Resilience4j's Spring Boot annotations. */
  public static class Resilience4j {
    /** The call. */
    @io.github.resilience4j.circuitbreaker.annotation.CircuitBreaker(name = "bench")
    @io.github.resilience4j.retry.annotation.Retry(name = "bench")
    public String call(String value) {
      return value;
    }
  }

  /** Not guarded. */
  public static class Plain {
    /** The call. */
    public String call(String value) {
      return value;
    }
  }
}
