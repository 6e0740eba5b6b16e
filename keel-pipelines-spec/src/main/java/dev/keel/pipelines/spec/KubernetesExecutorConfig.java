package dev.keel.pipelines.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** kfp-kubernetes {@code KubernetesExecutorConfig}: what a task asks of Kubernetes. */
public record KubernetesExecutorConfig(
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<JsonNode> secretAsVolume,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<JsonNode> secretAsEnv,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<JsonNode> pvcMount,
    JsonNode nodeSelector,
    JsonNode podMetadata,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<JsonNode> imagePullSecret,
    String imagePullPolicy,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<JsonNode> configMapAsVolume,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<JsonNode> configMapAsEnv,
    Long activeDeadlineSeconds,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<JsonNode> fieldPathAsEnv,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<JsonNode> tolerations,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<JsonNode> genericEphemeralVolume,
    JsonNode nodeAffinity,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<JsonNode> podAffinity,
    JsonNode enabledSharedMemory,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<JsonNode> emptyDirMounts,
    JsonNode securityContext,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<JsonNode> initContainers) {
  public KubernetesExecutorConfig {
    secretAsVolume = Spec.list(secretAsVolume);
    secretAsEnv = Spec.list(secretAsEnv);
    pvcMount = Spec.list(pvcMount);
    imagePullSecret = Spec.list(imagePullSecret);
    configMapAsVolume = Spec.list(configMapAsVolume);
    configMapAsEnv = Spec.list(configMapAsEnv);
    fieldPathAsEnv = Spec.list(fieldPathAsEnv);
    tolerations = Spec.list(tolerations);
    genericEphemeralVolume = Spec.list(genericEphemeralVolume);
    podAffinity = Spec.list(podAffinity);
    emptyDirMounts = Spec.list(emptyDirMounts);
    initContainers = Spec.list(initContainers);
  }
}
