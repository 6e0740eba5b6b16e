package dev.keel.pipelines.spec;

import dev.keel.core.Problem;
import dev.keel.core.ValidationException;
import java.util.List;

/**
 * A pipeline file with problems. When the only problems are unknown fields, the pipeline could
 * still be read (without them), and {@link #partial()} holds it so that a validator can report its
 * other problems in the same pass.
 */
public final class PipelineReadException extends ValidationException {
  private static final long serialVersionUID = 1L;

  private final transient PipelineDocument partial;

  PipelineReadException(List<Problem> problems, PipelineDocument partial) {
    super(problems);
    this.partial = partial;
  }

  /** The pipeline read without its unknown fields, or {@code null} when it could not be read. */
  public PipelineDocument partial() {
    return partial;
  }
}
