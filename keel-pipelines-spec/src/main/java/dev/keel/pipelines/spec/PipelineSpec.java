package dev.keel.pipelines.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/** The compiled pipeline: KFP's {@code PipelineSpec} message (schemaVersion 2.1.0). */
public record PipelineSpec(
    PipelineInfo pipelineInfo,
    DeploymentSpec deploymentSpec,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, ComponentSpec> components,
    ComponentSpec root,
    String schemaVersion,
    String sdkVersion,
    String defaultPipelineRoot) {
  public PipelineSpec {
    components = Spec.map(components);
  }
}
