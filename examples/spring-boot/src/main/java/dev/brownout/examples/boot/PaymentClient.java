package dev.brownout.examples.boot;

import dev.brownout.degrade.CircuitBreaker;
import dev.brownout.degrade.Fallback;
import dev.brownout.degrade.Retry;
import dev.brownout.degrade.Timeout;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;

/**
 * The third-party payment API, behind a retry, a breaker and a timeout (declared in
 * application.yml); while it fails, bookings are paid later.
 */
@Service
public class PaymentClient {
  static final String BREAKER = "payments";

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final String vendor;

  PaymentClient(@Value("${stays.payments.url:}") String vendor) {
    this.vendor = vendor;
  }

  /** The base URL of the payment API: the configured one, else the bundled one on this server. */
  private String vendor(int port) {
    return vendor.isEmpty() ? "http://127.0.0.1:" + port + "/vendor" : vendor;
  }

  /** Charges a booking; the answer is the vendor's charge id. */
  @Retry(BREAKER)
  @CircuitBreaker(BREAKER)
  @Timeout(BREAKER)
  @Fallback(PayLater.class)
  public String charge(long booking, int amount, int port)
      throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(vendor(port) + "/charges?booking=" + booking + "&amount=" + amount))
                .timeout(Duration.ofSeconds(2))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("payment API answered " + response.statusCode());
    }
    return response.body();
  }

  /** Pays later: the booking stands, the charge is taken when the payment API is back. */
  public static class PayLater {
    /** Answers for {@link PaymentClient#charge}. */
    public String charge(long booking, int amount, int port) {
      return "pending";
    }
  }
}
