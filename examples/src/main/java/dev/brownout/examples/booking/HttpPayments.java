package dev.brownout.examples.booking;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The payment API over HTTP, with its own connect and request timeouts. */
final class HttpPayments implements Payments {
  private final URI base;
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  HttpPayments(URI base) {
    this.base = base;
  }

  @Override
  public String charge(long booking) throws IOException {
    HttpRequest request =
        HttpRequest.newBuilder(base.resolve("charges/" + booking))
            .timeout(Duration.ofSeconds(2))
            .POST(HttpRequest.BodyPublishers.noBody())
            .build();
    try {
      HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IOException("payment API answered " + response.statusCode());
      }
      return response.body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while charging booking " + booking, e);
    }
  }
}
