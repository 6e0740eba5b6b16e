package dev.keel.pipelines.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/** Input definitions of a component. */
public record InputsSpec(
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, ParameterSpec> parameters,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, ArtifactSpec> artifacts) {
  public InputsSpec {
    parameters = Spec.map(parameters);
    artifacts = Spec.map(artifacts);
  }
}
