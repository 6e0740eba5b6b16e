package dev.keel.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.pipelines.spec.PipelineDocument;
import java.util.Map;
import java.util.Objects;

/**
 * What a user asks for when starting a run.
 *
 * @param pipeline the pipeline to run
 * @param parameters pipeline parameter values by name (missing ones take their defaults)
 * @param namespace the namespace the run belongs to
 * @param displayName the run's name; {@code null} derives one from the pipeline name
 * @param experimentId the experiment, or {@code null} for the namespace's {@code Default}
 * @param pipelineVersionId the stored pipeline version it was started from, or {@code null}
 * @param runId the id the run gets, or {@code null} for a new one
 * @param recurringRunId the recurring run that started it, or {@code null}
 * @param scheduledAt the time it was scheduled for, or {@code null} for now
 */
public record RunRequest(
    PipelineDocument pipeline,
    Map<String, JsonNode> parameters,
    String namespace,
    String displayName,
    String experimentId,
    String pipelineVersionId,
    String runId,
    String recurringRunId,
    java.time.Instant scheduledAt) {
  public RunRequest {
    Objects.requireNonNull(pipeline, "pipeline");
    parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
    namespace = namespace == null || namespace.isBlank() ? "default" : namespace;
  }

  /** A run a user starts now. */
  public RunRequest(
      PipelineDocument pipeline,
      Map<String, JsonNode> parameters,
      String namespace,
      String displayName,
      String experimentId,
      String pipelineVersionId) {
    this(
        pipeline,
        parameters,
        namespace,
        displayName,
        experimentId,
        pipelineVersionId,
        null,
        null,
        null);
  }

  /** A run of {@code pipeline} in namespace {@code default} with the given parameters. */
  public static RunRequest of(PipelineDocument pipeline, Map<String, JsonNode> parameters) {
    return new RunRequest(pipeline, parameters, "default", null, null, null);
  }
}
