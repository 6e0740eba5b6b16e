package dev.keel.core;

import java.util.Objects;

/**
 * One thing wrong with a user's input: where it is and why it is wrong.
 *
 * <p>The path is a dotted field path into the document the user wrote (for example {@code
 * root.dag.tasks.train.componentRef.name}); an empty path means the document as a whole.
 *
 * @param path where the problem is, as a field path
 * @param reason what is wrong there, in words a user can act on
 */
public record Problem(String path, String reason) {
  public Problem {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(reason, "reason");
  }

  /** A problem at {@code path}, with a reason built by {@link String#format}. */
  public static Problem at(String path, String reasonFormat, Object... args) {
    return new Problem(path, args.length == 0 ? reasonFormat : String.format(reasonFormat, args));
  }

  /**
   * The same problem with {@code place} (a file, a flag) as the first segment of its path, for
   * input that came from somewhere a user named: {@code pipeline.yaml: root.dag}.
   */
  public Problem under(String place) {
    return new Problem(path.isEmpty() ? place : place + ": " + path, reason);
  }

  @Override
  public String toString() {
    return path.isEmpty() ? reason : path + ": " + reason;
  }
}
