package dev.keel.pipelines.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/** Kubernetes settings by executor label. */
public record KubernetesDeploymentSpec(
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, KubernetesExecutorConfig> executors) {
  public KubernetesDeploymentSpec {
    executors = Spec.map(executors);
  }
}
