package dev.keel.server;

import dev.keel.core.Problem;
import java.util.List;

/**
 * A request Keel refuses, with the HTTP status and the gRPC code KFP's API server would answer, a
 * message, and the fields at fault.
 */
public final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** gRPC status codes, as KFP's grpc-gateway puts them in {@code code}. */
  public static final int INVALID_ARGUMENT = 3;

  public static final int NOT_FOUND = 5;
  public static final int ALREADY_EXISTS = 6;
  public static final int PERMISSION_DENIED = 7;
  public static final int RESOURCE_EXHAUSTED = 8;
  public static final int FAILED_PRECONDITION = 9;
  public static final int INTERNAL = 13;
  public static final int UNAUTHENTICATED = 16;

  private final int status;
  private final int code;
  private final transient List<Problem> problems;

  public ApiError(int status, int code, String message, List<Problem> problems) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.problems = List.copyOf(problems);
  }

  public static ApiError badRequest(String field, String reason) {
    return new ApiError(
        400, INVALID_ARGUMENT, field + ": " + reason, List.of(new Problem(field, reason)));
  }

  public static ApiError notFound(String message) {
    return new ApiError(404, NOT_FOUND, message, List.of());
  }

  public static ApiError failedPrecondition(String message) {
    return new ApiError(400, FAILED_PRECONDITION, message, List.of());
  }

  public int status() {
    return status;
  }

  public int code() {
    return code;
  }

  public List<Problem> problems() {
    return problems;
  }
}
