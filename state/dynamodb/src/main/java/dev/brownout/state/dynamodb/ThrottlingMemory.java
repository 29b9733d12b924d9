package dev.brownout.state.dynamodb;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Remembers, for each call, whether an attempt was throttled, so that a call whose retries ran out
 * of time is still reported as throttling. The SDK's own exception for that case ({@code
 * ApiCallTimeoutException}) keeps nothing of the attempts before it, and the call's cause would
 * read as "DynamoDB did not answer" while it answered "slow down" every time.
 *
 * <p>Each attempt's error code is read from the response the way the SDK reads it (the JSON
 * protocol's {@code __type}, or the {@code x-amzn-ErrorType} header), never from the message text.
 * A call that times out after a throttled attempt carries a {@link Throttled} as a suppressed
 * exception, which {@link TableClient} looks for.
 */
final class ThrottlingMemory implements ExecutionInterceptor {
  /** DynamoDB's throttling error codes, as the SDK's retry conditions list them. */
  private static final Set<String> THROTTLING =
      Set.of(
          "ThrottlingException",
          "ProvisionedThroughputExceededException",
          "RequestLimitExceeded",
          "ThrottledException",
          "Throttling",
          "TooManyRequestsException");

  private static final ExecutionAttribute<String> LAST_THROTTLE =
      new ExecutionAttribute<>("brownout.throttled");
  private static final Pattern TYPE =
      Pattern.compile("\"__type\"\\s*:\\s*\"(?:[^\"#]*#)?([^\"]+)\"");

  @Override
  public Optional<InputStream> modifyHttpResponseContent(
      Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
    Optional<InputStream> body = context.responseBody();
    int status = context.httpResponse().statusCode();
    if (status < 400 || body.isEmpty()) {
      return body;
    }
    String header = context.httpResponse().firstMatchingHeader("x-amzn-ErrorType").orElse("");
    String code = header.contains(":") ? header.substring(0, header.indexOf(':')) : header;
    byte[] content;
    try {
      // An error body is a few hundred bytes; it is read here and handed on unchanged.
      content = body.get().readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Matcher type = TYPE.matcher(new String(content, StandardCharsets.UTF_8));
    if (code.isEmpty() && type.find()) {
      code = type.group(1);
    }
    if (THROTTLING.contains(code)) {
      attributes.putAttribute(LAST_THROTTLE, code);
    }
    return Optional.of(new ByteArrayInputStream(content));
  }

  @Override
  public Throwable modifyException(
      Context.FailedExecution context, ExecutionAttributes attributes) {
    Throwable failure = context.exception();
    String code = attributes.getAttribute(LAST_THROTTLE);
    if (code != null && failure instanceof SdkClientException) {
      failure.addSuppressed(new Throttled(code));
    }
    return failure;
  }

  /** Whether {@code failure} came after a throttled attempt; the error code if so. */
  static Optional<String> throttledBefore(Throwable failure) {
    return Arrays.stream(failure.getSuppressed())
        .filter(Throttled.class::isInstance)
        .map(suppressed -> ((Throttled) suppressed).code)
        .findFirst();
  }

  /** The mark of a call that was throttled before it failed otherwise. */
  static final class Throttled extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String code;

    Throttled(String code) {
      super("an earlier attempt was throttled (" + code + ")", null, false, false);
      this.code = code;
    }
  }
}
