package dev.keel.pipelines.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/** Inputs of a task and where their values come from. */
public record TaskInputsSpec(
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, InputParameterSpec> parameters,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, InputArtifactSpec> artifacts) {
  public TaskInputsSpec {
    parameters = Spec.map(parameters);
    artifacts = Spec.map(artifacts);
  }
}
