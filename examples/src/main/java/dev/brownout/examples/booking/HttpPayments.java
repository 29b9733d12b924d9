package dev.brownout.examples.booking;

import dev.brownout.degrade.IdempotencyKey;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One payment provider's HTTP API. Every request carries the idempotency key of the call in
 * progress ({@link IdempotencyKey#current()}), and each failure says whether the charge may have
 * been taken: that decides whether another provider may be asked.
 */
final class HttpPayments implements PaymentProvider.Client {
  private final String name;
  private final URI base;
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  HttpPayments(String name, URI base) {
    this.name = name;
    this.base = base;
  }

  @Override
  public String charge(long booking, String guest) throws IOException {
    String key =
        IdempotencyKey.current()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "charge booking " + booking + " inside a guarded call with a key"));
    HttpRequest request =
        HttpRequest.newBuilder(base.resolve("charges/" + booking))
            // A backstop: the "payments" timeout around each attempt is shorter.
            .timeout(Duration.ofSeconds(2))
            .header("Idempotency-Key", key)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "customer=" + URLEncoder.encode(guest, StandardCharsets.UTF_8)))
            .build();
    HttpResponse<String> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException | HttpConnectTimeoutException e) {
      // Never connected: the request was not sent.
      throw new PaymentUnavailableException(name, "cannot connect: " + e, e);
    } catch (IOException e) {
      throw new ChargeOutcomeUnknownException(name, e.toString(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ChargeOutcomeUnknownException(name, "interrupted while waiting", e);
    }
    int status = response.statusCode();
    if (status == 200) {
      return response.body();
    }
    if (status == 402) {
      throw new PaymentDeclinedException(name, booking);
    }
    if (status >= 500) {
      throw new PaymentUnavailableException(name, "answered " + status);
    }
    throw new IllegalStateException(
        name
            + " refused the charge request for booking "
            + booking
            + ": "
            + status
            + " "
            + response.body());
  }
}
