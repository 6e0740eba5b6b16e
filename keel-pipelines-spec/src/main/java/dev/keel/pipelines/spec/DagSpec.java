package dev.keel.pipelines.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/** The tasks of a composite component and how its outputs are selected. */
public record DagSpec(
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, PipelineTaskSpec> tasks,
    DagOutputsSpec outputs) {
  public DagSpec {
    tasks = Spec.map(tasks);
  }
}
