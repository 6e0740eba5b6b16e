package dev.keel.pipelines.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A node of a DAG: which component it runs, its inputs, dependencies, trigger, iterator, caching
 * and retry.
 */
public record PipelineTaskSpec(
    TaskInfo taskInfo,
    TaskInputsSpec inputs,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> dependentTasks,
    CachingOptions cachingOptions,
    ComponentRef componentRef,
    TriggerPolicy triggerPolicy,
    ParameterIteratorSpec parameterIterator,
    ArtifactIteratorSpec artifactIterator,
    IteratorPolicy iteratorPolicy,
    RetryPolicy retryPolicy) {
  public PipelineTaskSpec {
    dependentTasks = Spec.list(dependentTasks);
  }
}
