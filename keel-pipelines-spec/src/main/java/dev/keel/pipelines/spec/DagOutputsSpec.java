package dev.keel.pipelines.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/** Outputs of a DAG, each selected from a task inside it. */
public record DagOutputsSpec(
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, DagOutputParameterSpec> parameters,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, DagOutputArtifactSpec> artifacts) {
  public DagOutputsSpec {
    parameters = Spec.map(parameters);
    artifacts = Spec.map(artifacts);
  }
}
