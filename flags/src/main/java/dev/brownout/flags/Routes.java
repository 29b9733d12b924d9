package dev.brownout.flags;

import dev.brownout.core.admin.AdminRequest;
import dev.brownout.core.admin.AdminResponse;
import dev.brownout.core.admin.Problem;
import dev.brownout.core.admin.ProblemException;
import dev.brownout.state.RecordTooLargeException;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * What the flags module's admin routes share: ETags from stored versions, {@code If-Match}, {@code
 * ?confirm=true}, and the problems each refusal answers with. A store that does not answer is left
 * to the admin API, which answers 503 with {@code Retry-After}.
 */
final class Routes {
  static final String ROOT = "/api/v1";

  private Routes() {}

  /** The ETag of a stored version. */
  static String etag(long version) {
    return "\"" + version + "\"";
  }

  /** The version {@code If-Match} names, or empty for none or {@code *}. */
  static OptionalLong expected(AdminRequest request) {
    String ifMatch = request.header("If-Match").map(String::strip).orElse("*");
    if (ifMatch.equals("*")) {
      return OptionalLong.empty();
    }
    String tag = ifMatch.startsWith("W/") ? ifMatch.substring(2) : ifMatch;
    try {
      return OptionalLong.of(Long.parseLong(tag.replace("\"", "")));
    } catch (NumberFormatException e) {
      throw ProblemException.badRequest(
          "If-Match must be an ETag this API gave out, such as \"1763000000000001\", but was "
              + ifMatch);
    }
  }

  /** Whether the request confirms a jump from 0 % to 100 % ({@code ?confirm=true}). */
  static boolean confirmed(AdminRequest request) {
    return request.query("confirm").map("true"::equalsIgnoreCase).orElse(false);
  }

  /**
   * Runs {@code action}, answering the module's refusals as problems; {@code what} ({@code flag},
   * {@code segment}, {@code rollout}) names the problem types.
   */
  static AdminResponse guarded(String what, Supplier<AdminResponse> action) {
    try {
      return action.get();
    } catch (InvalidFlagException e) {
      throw new ProblemException(
          Problem.of("invalid-" + what, "Invalid " + what, 400, e.getMessage())
              .with("problems", e.problems()));
    } catch (RecordTooLargeException e) {
      throw new ProblemException(
          Problem.of(
              "too-large",
              "Too large",
              413,
              "the " + what + " is too large for the store: " + e.getMessage()));
    } catch (FlagConflictException e) {
      throw new ProblemException(problem(what, e));
    }
  }

  static Problem problem(String what, FlagConflictException e) {
    return switch (e.kind()) {
      case NOT_FOUND -> Problem.of("not-found", "Not found", 404, e.getMessage());
      case STALE -> {
        Problem problem =
            Problem.of("precondition-failed", "Precondition failed", 412, e.getMessage());
        yield e.currentVersion().isPresent()
            ? problem.with("currentETag", etag(e.currentVersion().getAsLong()))
            : problem;
      }
      case EXISTS -> Problem.of(what + "-exists", capital(what) + " exists", 409, e.getMessage());
      case IN_USE -> Problem.of(what + "-in-use", capital(what) + " in use", 409, e.getMessage());
      case CONFIRMATION_REQUIRED ->
          Problem.of("confirmation-required", "Confirmation required", 409, e.getMessage());
      case INVALID_STATE ->
          Problem.of(what + "-state", capital(what) + " cannot do that now", 409, e.getMessage());
    };
  }

  /** 400 naming every problem. */
  static ProblemException invalid(String what, String detail, List<String> problems) {
    return new ProblemException(
        Problem.of("invalid-" + what, "Invalid " + what, 400, detail).with("problems", problems));
  }

  private static String capital(String what) {
    return Character.toUpperCase(what.charAt(0)) + what.substring(1);
  }
}
