package dev.keel.core;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Input that Keel refuses, with every problem found in it. Never carries a stack trace to the user:
 * callers print {@link #problems()} or map them to an HTTP 400 body.
 */
public class ValidationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final List<Problem> problems;

  public ValidationException(List<Problem> problems) {
    super(summary(problems), null, false, false);
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a ValidationException needs at least one problem");
    }
    this.problems = List.copyOf(problems);
  }

  public ValidationException(Problem problem) {
    this(List.of(problem));
  }

  /** Every problem found, in document order where that is known. */
  public List<Problem> problems() {
    return problems;
  }

  private static String summary(List<Problem> problems) {
    return problems.stream().map(Problem::toString).collect(Collectors.joining("\n"));
  }
}
