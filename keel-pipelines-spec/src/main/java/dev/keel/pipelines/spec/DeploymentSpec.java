package dev.keel.pipelines.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/** Executors by executor label. */
public record DeploymentSpec(
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, ExecutorSpec> executors) {
  public DeploymentSpec {
    executors = Spec.map(executors);
  }
}
