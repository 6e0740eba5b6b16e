package dev.keel.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.Json;
import dev.keel.pipelines.spec.CachingOptions;
import dev.keel.pipelines.spec.ComponentRef;
import dev.keel.pipelines.spec.InputArtifactSpec;
import dev.keel.pipelines.spec.InputParameterSpec;
import dev.keel.pipelines.spec.PipelineTaskSpec;
import dev.keel.pipelines.spec.RetryPolicy;
import dev.keel.pipelines.spec.RuntimeValue;
import dev.keel.pipelines.spec.TaskInfo;
import dev.keel.pipelines.spec.TaskInputsSpec;
import dev.keel.pipelines.spec.TaskOutputArtifactSpec;
import dev.keel.pipelines.spec.TaskOutputParameterSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * One use of a component in a {@link Pipeline}: where its inputs come from, what it waits for, and
 * its caching and retry options.
 */
public final class Task {
  final String name;
  final ContainerComponent component;
  private final Pipeline pipeline;
  private final Map<String, InputParameterSpec> params = new LinkedHashMap<>();
  private final Map<String, InputArtifactSpec> artifacts = new LinkedHashMap<>();
  private final TreeSet<String> after = new TreeSet<>();
  private String displayName;
  private boolean caching = true;
  private String cacheKey;
  private RetryPolicy retry;

  Task(Pipeline pipeline, String name, ContainerComponent component) {
    this.pipeline = pipeline;
    this.name = name;
    this.component = component;
  }

  /** A reference to output {@code key} of this task, to pass to another task or the pipeline. */
  public Output output(String key) {
    if (!component.outputs.containsKey(key) && !component.outputArtifacts.containsKey(key)) {
      throw new IllegalArgumentException(
          "component '"
              + component.name
              + "' has no output '"
              + key
              + "'; it has "
              + outputNames());
    }
    return new Output(this, key, component.outputArtifacts.containsKey(key));
  }

  /**
   * Sets input {@code input}: a pipeline parameter ({@link Pipeline#parameter(String)}), another
   * task's {@link #output(String)}, or a constant (string, number, boolean, list, map).
   */
  public Task with(String input, Object value) {
    boolean isParam = component.inputs.containsKey(input);
    boolean isArtifact = component.inputArtifacts.containsKey(input);
    if (!isParam && !isArtifact) {
      throw new IllegalArgumentException(
          "component '"
              + component.name
              + "' has no input '"
              + input
              + "'; it has "
              + inputNames());
    }
    if (value instanceof Output out) {
      if (out.task().pipeline != pipeline) {
        throw new IllegalArgumentException(
            "output of task '" + out.task().name + "' belongs to another pipeline");
      }
      if (out.artifact() != isArtifact) {
        throw new IllegalArgumentException(
            "input '"
                + input
                + "' of task '"
                + name
                + "' is "
                + (isArtifact ? "an artifact" : "a parameter")
                + " but output '"
                + out.key()
                + "' of task '"
                + out.task().name
                + "' is not");
      }
      if (isArtifact) {
        artifacts.put(
            input,
            new InputArtifactSpec(new TaskOutputArtifactSpec(out.task().name, out.key()), null));
      } else {
        params.put(
            input,
            new InputParameterSpec(
                new TaskOutputParameterSpec(out.task().name, out.key()), null, null, null, null));
      }
      after.add(out.task().name);
      return this;
    }
    if (isArtifact) {
      throw new IllegalArgumentException(
          "input '"
              + input
              + "' of task '"
              + name
              + "' is an artifact: pass another task's output");
    }
    if (value instanceof Pipeline.Parameter p) {
      params.put(input, new InputParameterSpec(null, null, p.name(), null, null));
      return this;
    }
    JsonNode constant = Json.json().valueToTree(value);
    params.put(
        input, new InputParameterSpec(null, new RuntimeValue(constant, null), null, null, null));
    return this;
  }

  /** Runs this task only after the given ones, as KFP's {@code .after()}. */
  public Task after(Task... tasks) {
    for (Task t : tasks) {
      after.add(t.name);
    }
    return this;
  }

  /** The name shown for this task. */
  public Task displayName(String displayName) {
    this.displayName = displayName;
    return this;
  }

  /** Turns caching on (the default) or off; off is written as {@code cachingOptions: {}}. */
  public Task caching(boolean enabled) {
    this.caching = enabled;
    return this;
  }

  /** Caches under {@code key} instead of the fingerprint of inputs and command. */
  public Task cacheKey(String key) {
    this.cacheKey = key;
    this.caching = true;
    return this;
  }

  /**
   * Retries a failed run of this task: {@code maxRetryCount} times, waiting {@code backoffDuration}
   * times {@code backoffFactor} to the power of the retry, at most {@code backoffMaxDuration}
   * (durations like {@code "30s"}).
   */
  public Task retry(
      int maxRetryCount, String backoffDuration, double backoffFactor, String backoffMaxDuration) {
    if (maxRetryCount < 0) {
      throw new IllegalArgumentException(
          "maxRetryCount must not be negative, was " + maxRetryCount);
    }
    this.retry = new RetryPolicy(maxRetryCount, backoffDuration, backoffFactor, backoffMaxDuration);
    return this;
  }

  PipelineTaskSpec toSpec(String componentKey) {
    return new PipelineTaskSpec(
        new TaskInfo(displayName != null ? displayName : name),
        params.isEmpty() && artifacts.isEmpty() ? null : new TaskInputsSpec(params, artifacts),
        after.isEmpty() ? null : after.stream().toList(),
        caching ? new CachingOptions(true, cacheKey) : new CachingOptions(null, null),
        new ComponentRef(componentKey),
        null,
        null,
        null,
        null,
        retry);
  }

  private String outputNames() {
    var all = new TreeSet<>(component.outputs.keySet());
    all.addAll(component.outputArtifacts.keySet());
    return all.toString();
  }

  private String inputNames() {
    var all = new TreeSet<>(component.inputs.keySet());
    all.addAll(component.inputArtifacts.keySet());
    return all.toString();
  }

  /**
   * An output of a task.
   *
   * @param task the producing task
   * @param key the output's name
   * @param artifact whether it is an artifact
   */
  public record Output(Task task, String key, boolean artifact) {}
}
