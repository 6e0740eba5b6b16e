package dev.keel.sdk;

import dev.keel.pipelines.spec.PipelineDocument;

/** A class that defines a pipeline, for {@code keel compile CLASS}. */
public interface PipelineDefinition {
  /** The pipeline, usually {@code Pipeline...build()}. */
  PipelineDocument pipeline();
}
