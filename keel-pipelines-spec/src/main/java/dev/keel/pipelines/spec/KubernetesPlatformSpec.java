package dev.keel.pipelines.spec;

import com.fasterxml.jackson.databind.JsonNode;

/** kfp-kubernetes configuration: per-executor settings and pipeline settings. */
public record KubernetesPlatformSpec(
    KubernetesDeploymentSpec deploymentSpec, JsonNode pipelineConfig) {}
