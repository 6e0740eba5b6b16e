package dev.keel.pipelines.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A DAG output artifact; several selectors mean OneOf, a selector on a loop means a collected list.
 */
public record DagOutputArtifactSpec(
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ArtifactSelectorSpec> artifactSelectors) {
  public DagOutputArtifactSpec {
    artifactSelectors = Spec.list(artifactSelectors);
  }
}
