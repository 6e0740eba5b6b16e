package dev.keel.pipelines.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A component: its inputs and outputs, and either an executor label (leaf) or a DAG (composite).
 */
public record ComponentSpec(
    InputsSpec inputDefinitions,
    OutputsSpec outputDefinitions,
    String executorLabel,
    DagSpec dag,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<JsonNode> singlePlatformSpecs,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<JsonNode> taskConfigPassthroughs) {
  public ComponentSpec {
    singlePlatformSpecs = Spec.list(singlePlatformSpecs);
    taskConfigPassthroughs = Spec.list(taskConfigPassthroughs);
  }
}
