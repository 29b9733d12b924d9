package dev.brownout.spring.management;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.flags.FlagDefinition;
import dev.brownout.flags.Flags;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The admin API where operators reach the actuator: on its own management port, authenticated by
 * the application's Spring Security rather than bearer tokens, with Brownout's read and write
 * rights taken from the principal's authorities and the principal's name in the audit trail.
 */
@SpringBootTest(
    classes = ManagementPortIT.OperatorsApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      // Not the suite's application.yml, which authenticates with tokens.
      "spring.config.name=management-port-it",
      "brownout.store=memory",
      "management.server.port=0",
      "brownout.spring.admin.authentication=spring-security",
      "brownout.spring.session.enabled=false"
    })
class ManagementPortIT {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Autowired Environment environment;
  @Autowired Flags flags;

  @Test
  void theAdminApiIsServedOnTheManagementPortOnly() {
    assertThat(send(appPort(), "GET", "/hello", "olga", null).statusCode()).isEqualTo(200);
    assertThat(send(appPort(), "GET", "/brownout/api/v1/flags", "olga", null).statusCode())
        .isEqualTo(404);
    assertThat(send(managementPort(), "GET", "/brownout/api/v1/flags", "olga", null).statusCode())
        .isEqualTo(200);
  }

  @Test
  void springSecurityDecidesWhoCallsAndTheAuthoritiesDecideWhatTheyMayDo() {
    flags.admin().create(FlagDefinition.on("night-mode"));
    String flag = "/brownout/api/v1/flags/night-mode";
    String off = "{\"enabled\":false}";

    assertThat(send(managementPort(), "GET", flag, null, null).statusCode())
        .as("no credentials")
        .isEqualTo(401);
    assertThat(send(managementPort(), "GET", flag, "eve", null).statusCode())
        .as("authenticated, but without a Brownout authority")
        .isIn(401, 403);

    assertThat(send(managementPort(), "GET", flag, "rita", null).statusCode()).isEqualTo(200);
    HttpResponse<String> readerWrites = send(managementPort(), "PATCH", flag, "rita", off);
    assertThat(readerWrites.statusCode()).as(readerWrites.body()).isEqualTo(403);
    assertThat(flags.admin().get("night-mode").orElseThrow().definition().enabled()).isTrue();

    HttpResponse<String> writerWrites = send(managementPort(), "PATCH", flag, "olga", off);
    assertThat(writerWrites.statusCode()).as(writerWrites.body()).isEqualTo(200);
    assertThat(flags.admin().get("night-mode").orElseThrow().definition().enabled()).isFalse();

    HttpResponse<String> trail =
        send(managementPort(), "GET", "/brownout/api/v1/audit?limit=5", "rita", null);
    assertThat(trail.statusCode()).as(trail.body()).isEqualTo(200);
    assertThat(trail.body()).contains("olga").contains("night-mode");
  }

  private int appPort() {
    return environment.getRequiredProperty("local.server.port", Integer.class);
  }

  private int managementPort() {
    return environment.getRequiredProperty("local.management.port", Integer.class);
  }

  private static HttpResponse<String> send(
      int port, String method, String path, String user, String json) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .method(
                method,
                json == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      request.header("Content-Type", "application/json");
    }
    if (user != null) {
      String basic = user + ":" + user + "-password";
      request.header(
          "Authorization",
          "Basic " + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)));
    }
    try {
      return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** An application whose operators sign in with HTTP basic; three users, three rights. */
  @SpringBootApplication(
      excludeName = {
        "org.springframework.boot.autoconfigure.session.SessionAutoConfiguration",
        "org.springframework.boot.session.autoconfigure.SessionAutoConfiguration"
      })
  static class OperatorsApplication {
    @Bean
    SecurityFilterChain everyoneSignsIn(HttpSecurity http) throws Exception {
      return http.authorizeHttpRequests(requests -> requests.anyRequest().authenticated())
          .httpBasic(Customizer.withDefaults())
          // The admin API is called with credentials on every request, not from a browser form.
          .csrf(csrf -> csrf.disable())
          .build();
    }

    @Bean
    InMemoryUserDetailsManager users() {
      return new InMemoryUserDetailsManager(
          user("olga", "ROLE_BROWNOUT_WRITE"),
          user("rita", "ROLE_BROWNOUT_READ"),
          user("eve", "ROLE_USER"));
    }

    private static org.springframework.security.core.userdetails.UserDetails user(
        String name, String authority) {
      return User.withUsername(name)
          .password("{noop}" + name + "-password")
          .authorities(authority)
          .build();
    }

    @RestController
    static class Hello {
      @GetMapping("/hello")
      String hello() {
        return "hello";
      }
    }
  }
}
