package dev.keel.sdk;

import dev.keel.core.Problem;
import java.util.List;

/**
 * What a {@link KeelClient} call could not do: the server's refusal, with the HTTP status, KFP's
 * gRPC {@code code}, its {@code message} and the field violations of its {@code details}; or, with
 * status 0, no answer at all (the server could not be reached, or a wait ran out of time).
 */
public final class KeelClientException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final int code;
  private final transient List<Problem> fieldViolations;

  KeelClientException(
      int status, int code, String message, List<Problem> fieldViolations, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.code = code;
    this.fieldViolations = List.copyOf(fieldViolations);
  }

  /** The HTTP status the server answered, or 0 where no answer came. */
  public int status() {
    return status;
  }

  /** KFP's gRPC code from the error body ({@code 3} invalid argument, ...), or 0 if none. */
  public int code() {
    return code;
  }

  /** The fields at fault ({@code field}, {@code description}), as the server listed them. */
  public List<Problem> fieldViolations() {
    return fieldViolations;
  }
}
