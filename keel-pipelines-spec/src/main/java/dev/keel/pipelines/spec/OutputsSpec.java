package dev.keel.pipelines.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/** Output definitions of a component. */
public record OutputsSpec(
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, OutputParameterSpec> parameters,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, OutputArtifactSpec> artifacts) {
  public OutputsSpec {
    parameters = Spec.map(parameters);
    artifacts = Spec.map(artifacts);
  }
}
