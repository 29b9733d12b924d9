package dev.brownout.state.dynamodb;

import dev.brownout.state.Namespace;
import dev.brownout.state.StateThrottledException;
import dev.brownout.state.StateUnavailableException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/**
 * The store's table as the SDK reaches it: the client, the table's name, and the one place a failed
 * call becomes a typed exception. A missing table names the fix; throttling that outlasted the
 * SDK's retries is a {@link StateThrottledException}; anything else is a {@link
 * StateUnavailableException}. A failed condition passes through, since it is an answer, not a
 * failure.
 */
final class TableClient {
  private final DynamoDbClient client;
  private final String name;
  private final Duration timeout;

  TableClient(DynamoDbClient client, String name, Duration timeout) {
    this.client = client;
    this.name = name;
    this.timeout = timeout;
  }

  DynamoDbClient client() {
    return client;
  }

  String name() {
    return name;
  }

  /** Runs {@code request}, translating its failure. */
  <T> T call(String operation, Namespace namespace, String key, Supplier<T> request) {
    try {
      return request.get();
    } catch (ConditionalCheckFailedException e) {
      throw e;
    } catch (ResourceNotFoundException e) {
      throw new StateUnavailableException(
          "dynamodb table "
              + name
              + " does not exist ("
              + operation
              + " "
              + namespace
              + "/"
              + key
              + "); create it with DynamoDbStateStore.createTable",
          e);
    } catch (AwsServiceException e) {
      if (e.isThrottlingException()) {
        throw new StateThrottledException(
            "dynamodb table "
                + name
                + " throttled "
                + operation
                + " of "
                + namespace
                + "/"
                + key
                + " after the SDK's retries",
            e);
      }
      throw new StateUnavailableException(
          "dynamodb table "
              + name
              + " failed to "
              + operation
              + " "
              + namespace
              + "/"
              + key
              + ": "
              + e.getMessage(),
          e);
    } catch (SdkException e) {
      Optional<String> throttled = ThrottlingMemory.throttledBefore(e);
      if (throttled.isPresent()) {
        throw new StateThrottledException(
            "dynamodb table "
                + name
                + " throttled "
                + operation
                + " of "
                + namespace
                + "/"
                + key
                + " ("
                + throttled.get()
                + ") until the SDK's retries ran out of the "
                + timeout
                + " timeout",
            e);
      }
      throw new StateUnavailableException(
          "dynamodb table "
              + name
              + " did not "
              + operation
              + " "
              + namespace
              + "/"
              + key
              + " within "
              + timeout
              + ": "
              + e.getMessage(),
          e);
    }
  }
}
