package dev.brownout.benchmarks;

import dev.brownout.core.guard.GuardFactory;
import dev.brownout.core.guard.GuardedMethod;
import dev.brownout.core.guard.GuardedProxies;
import dev.brownout.core.guard.MethodGuard;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of calling a service method through a guarded proxy, against calling it directly: with
 * no guard on the method, with one pass-through guard, and with three. The pass-through guards only
 * call {@code next.proceed(args)}, so what is measured is the proxy and the chain, not any guard's
 * own work.
 *
 * <p>Run: {@code benchmarks/run GuardProxyBenchmark core-guards} (writes {@code
 * benchmarks/results/core-guards.json}; see benchmarks/README.md).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class GuardProxyBenchmark {

  /** The service being called. */
  public interface Catalog {
    /** A price lookup: a realistic small method that returns an object. */
    String price(String sku);

    /** The same method, annotated for one guard. */
    @Guarded(1)
    String pricedOnce(String sku);

    /** The same method, annotated for three guards. */
    @Guarded(3)
    String pricedThrice(String sku);
  }

  /** Marks a method for {@code value} pass-through guards. */
  @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
  @java.lang.annotation.Target(java.lang.annotation.ElementType.METHOD)
  public @interface Guarded {
    /** How many pass-through guards run around the method. */
    int value();
  }

  /** A catalog that answers from a constant table. */
  public static final class InMemoryCatalog implements Catalog {
    private static final String[] PRICES = {"9.99", "19.99", "4.50", "120.00"};

    @Override
    public String price(String sku) {
      return PRICES[sku.length() & 3];
    }

    @Override
    public String pricedOnce(String sku) {
      return PRICES[sku.length() & 3];
    }

    @Override
    public String pricedThrice(String sku) {
      return PRICES[sku.length() & 3];
    }
  }

  /** Contributes a pass-through guard at {@code rank} to methods marked with at least that many. */
  static final class PassThrough implements GuardFactory {
    private final int rank;

    PassThrough(int rank) {
      this.rank = rank;
    }

    @Override
    public int order() {
      return rank;
    }

    @Override
    public Optional<MethodGuard> create(GuardedMethod method) {
      return method
          .annotation(Guarded.class)
          .filter(guarded -> guarded.value() >= rank)
          .map(guarded -> (args, next) -> next.proceed(args));
    }
  }

  private Catalog direct;
  private Catalog proxied;
  private String sku;

  /** Builds the direct and the proxied catalog. */
  @Setup
  public void setUp() {
    direct = new InMemoryCatalog();
    proxied =
        GuardedProxies.builder()
            .add(new PassThrough(1), new PassThrough(2), new PassThrough(3))
            .build()
            .proxy(Catalog.class, new InMemoryCatalog());
    sku = "SKU-1234";
  }

  /** The baseline: a plain interface call. */
  @Benchmark
  public String direct() {
    return direct.price(sku);
  }

  /** Through the proxy, on a method without guards. */
  @Benchmark
  public String proxyNoGuards() {
    return proxied.price(sku);
  }

  /** Through the proxy and one guard. */
  @Benchmark
  public String proxyOneGuard() {
    return proxied.pricedOnce(sku);
  }

  /** Through the proxy and three guards. */
  @Benchmark
  public String proxyThreeGuards() {
    return proxied.pricedThrice(sku);
  }
}
