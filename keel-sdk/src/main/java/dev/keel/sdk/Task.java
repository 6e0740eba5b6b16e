package dev.keel.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.Json;
import dev.keel.pipelines.spec.AcceleratorConfig;
import dev.keel.pipelines.spec.ArtifactSpec;
import dev.keel.pipelines.spec.CachingOptions;
import dev.keel.pipelines.spec.ComponentRef;
import dev.keel.pipelines.spec.EnvVar;
import dev.keel.pipelines.spec.InputArtifactSpec;
import dev.keel.pipelines.spec.InputParameterSpec;
import dev.keel.pipelines.spec.OutputArtifactSpec;
import dev.keel.pipelines.spec.ParameterType;
import dev.keel.pipelines.spec.PipelineTaskSpec;
import dev.keel.pipelines.spec.PipelineValidator;
import dev.keel.pipelines.spec.RetryPolicy;
import dev.keel.pipelines.spec.RuntimeValue;
import dev.keel.pipelines.spec.TaskInfo;
import dev.keel.pipelines.spec.TaskInputsSpec;
import dev.keel.pipelines.spec.TaskOutputArtifactSpec;
import dev.keel.pipelines.spec.TaskOutputParameterSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * One use of a component in a {@link Pipeline}: where its inputs come from, what it waits for, its
 * caching and retry options, and settings of its own container (resources, environment) as KFP's
 * {@code task.set_cpu_limit(...)}, {@code task.set_env_variable(...)} and so on.
 *
 * <pre>{@code
 * Task train = p.task("train", trainer)
 *     .with("data", load.output("data"))
 *     .with("epochs", p.parameter("epochs"))
 *     .with("lr", 0.01)
 *     .cpuLimit("2").memoryLimit("4Gi")
 *     .retry(3);
 * }</pre>
 */
public final class Task {
  final String name;
  final ContainerComponent component;
  final Overrides overrides = new Overrides();
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

  /** This task's name in the pipeline (its key in the DAG). */
  public String name() {
    return name;
  }

  /**
   * A reference to output {@code key} of this task, to pass to another task's {@link #with} or to
   * {@link Pipeline#output}.
   *
   * @throws IllegalArgumentException when the component has no such output
   */
  public Output output(String key) {
    if (!component.outputs.containsKey(key) && !component.outputArtifacts.containsKey(key)) {
      throw new IllegalArgumentException(
          "component '"
              + component.name
              + "' of task '"
              + name
              + "' has no output '"
              + key
              + "'; it has "
              + outputNames()
              + " (declare outputs with .output(name, type) or .outputArtifact(name, type))");
    }
    return new Output(this, key, component.outputArtifacts.containsKey(key));
  }

  /**
   * Sets input {@code input}: a pipeline parameter ({@link Pipeline#parameter(String)}), another
   * task's {@link #output(String)} (which also makes this task wait for that one), or a constant
   * (string, number, boolean, list, map).
   *
   * @throws IllegalArgumentException when the component has no such input, the value is null, or
   *     its type does not fit the input
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
    String which = "input '" + input + "' of task '" + name + "'";
    if (value == null) {
      throw new IllegalArgumentException(
          which
              + " is null; pass a constant, pipeline.parameter(name) or task.output(name), or"
              + " leave the input out if it is optional");
    }
    if (value instanceof Output out) {
      if (out.task().pipeline != pipeline) {
        throw new IllegalArgumentException(
            "output of task '" + out.task().name + "' belongs to another pipeline");
      }
      if (out.task() == this) {
        throw new IllegalArgumentException(
            which + " cannot take an output of the same task; a task cannot wait for itself");
      }
      if (out.artifact() != isArtifact) {
        throw new IllegalArgumentException(
            which
                + " is "
                + (isArtifact ? "an artifact" : "a parameter")
                + " but output '"
                + out.key()
                + "' of task '"
                + out.task().name
                + "' is "
                + (out.artifact() ? "an artifact" : "a parameter"));
      }
      if (isArtifact) {
        checkArtifact(input, which, out);
        artifacts.put(
            input,
            new InputArtifactSpec(new TaskOutputArtifactSpec(out.task().name, out.key()), null));
      } else {
        ParameterType from = out.task().component.outputs.get(out.key()).parameterType();
        checkType(
            input, which, "output '" + out.key() + "' of task '" + out.task().name + "'", from);
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
          which + " is an artifact: pass another task's output, such as task.output(\"data\")");
    }
    if (value instanceof Pipeline.Parameter p) {
      ParameterType from = pipeline.parameterType(p.name());
      checkType(input, which, "pipeline parameter '" + p.name() + "'", from);
      params.put(input, new InputParameterSpec(null, null, p.name(), null, null));
      return this;
    }
    JsonNode constant = Json.json().valueToTree(value);
    ParameterType type = component.inputs.get(input).parameterType();
    String bad = type == null ? null : PipelineValidator.typeError(type, constant);
    if (bad != null) {
      throw new IllegalArgumentException(which + ": " + bad);
    }
    params.put(
        input, new InputParameterSpec(null, new RuntimeValue(constant, null), null, null, null));
    return this;
  }

  private void checkType(String input, String which, String source, ParameterType from) {
    ParameterType to = component.inputs.get(input).parameterType();
    if (from == null || to == null || from == to) {
      return;
    }
    if (from == ParameterType.NUMBER_INTEGER && to == ParameterType.NUMBER_DOUBLE) {
      return;
    }
    throw new IllegalArgumentException(which + " is " + to + " but " + source + " is " + from);
  }

  private void checkArtifact(String input, String which, Output out) {
    ArtifactSpec to = component.inputArtifacts.get(input);
    OutputArtifactSpec from = out.task().component.outputArtifacts.get(out.key());
    String toTitle = title(to.artifactType());
    String fromTitle = title(from.artifactType());
    if (!toTitle.equals(fromTitle)
        && !toTitle.equals("system.Artifact")
        && !fromTitle.equals("system.Artifact")) {
      throw new IllegalArgumentException(
          which
              + " is "
              + toTitle
              + " but output '"
              + out.key()
              + "' of task '"
              + out.task().name
              + "' is "
              + fromTitle);
    }
  }

  private static String title(dev.keel.pipelines.spec.ArtifactTypeSchema t) {
    return t == null || t.schemaTitle() == null ? "system.Artifact" : t.schemaTitle();
  }

  /**
   * Runs this task only after the given ones, as KFP's {@code .after()}.
   *
   * @throws IllegalArgumentException when a task is this one or belongs to another pipeline
   */
  public Task after(Task... tasks) {
    for (Task t : tasks) {
      Objects.requireNonNull(t, "task");
      if (t == this) {
        throw new IllegalArgumentException("task '" + name + "' cannot run after itself");
      }
      if (t.pipeline != pipeline) {
        throw new IllegalArgumentException(
            "task '" + t.name + "' belongs to another pipeline; add it to this one first");
      }
      after.add(t.name);
    }
    return this;
  }

  /** The name shown for this task ({@code taskInfo.name}); the task's name by default. */
  public Task displayName(String displayName) {
    this.displayName = Objects.requireNonNull(displayName, "displayName");
    return this;
  }

  /** Turns caching on (the default) or off; off is written as {@code cachingOptions: {}}. */
  public Task caching(boolean enabled) {
    this.caching = enabled;
    return this;
  }

  /**
   * Caches under {@code key} instead of the fingerprint of inputs and command, and turns caching
   * on.
   *
   * @throws IllegalArgumentException when the key is blank
   */
  public Task cacheKey(String key) {
    Objects.requireNonNull(key, "key");
    if (key.isBlank()) {
      throw new IllegalArgumentException(
          "cache key of task '" + name + "' is blank; use caching(false) to turn caching off");
    }
    this.cacheKey = key;
    this.caching = true;
    return this;
  }

  /**
   * Retries a failed run of this task up to {@code maxRetryCount} times with KFP's defaults: no
   * initial backoff ({@code "0s"}), factor 2, at most {@code "3600s"}.
   *
   * @throws IllegalArgumentException when the count is negative
   */
  public Task retry(int maxRetryCount) {
    return retry(maxRetryCount, "0s", 2.0, "3600s");
  }

  /**
   * Retries a failed run of this task: {@code maxRetryCount} times, waiting {@code backoffDuration}
   * times {@code backoffFactor} to the power of the retry, at most {@code backoffMaxDuration}
   * (durations like {@code "30s"}).
   *
   * @throws IllegalArgumentException when the count is negative, a duration is not of the form
   *     {@code "30s"}, or the factor is below 1
   */
  public Task retry(
      int maxRetryCount, String backoffDuration, double backoffFactor, String backoffMaxDuration) {
    if (maxRetryCount < 0) {
      throw new IllegalArgumentException(
          "maxRetryCount of task '" + name + "' must not be negative, was " + maxRetryCount);
    }
    Resources.duration("backoffDuration of task '" + name + "'", backoffDuration);
    Resources.duration("backoffMaxDuration of task '" + name + "'", backoffMaxDuration);
    if (!(backoffFactor >= 1.0) || Double.isInfinite(backoffFactor)) {
      throw new IllegalArgumentException(
          "backoffFactor of task '" + name + "' must be 1 or more, was " + backoffFactor);
    }
    this.retry = new RetryPolicy(maxRetryCount, backoffDuration, backoffFactor, backoffMaxDuration);
    return this;
  }

  /**
   * CPU request of this task's container, such as {@code "500m"}; overrides the component's.
   *
   * @throws IllegalArgumentException when the text is not a CPU quantity
   */
  public Task cpuRequest(String cpu) {
    overrides.cpuRequest = Resources.cpu("cpu request of task '" + name + "'", cpu);
    return this;
  }

  /**
   * CPU limit of this task's container, such as {@code "2"}; overrides the component's.
   *
   * @throws IllegalArgumentException when the text is not a CPU quantity
   */
  public Task cpuLimit(String cpu) {
    overrides.cpuLimit = Resources.cpu("cpu limit of task '" + name + "'", cpu);
    return this;
  }

  /**
   * Memory request of this task's container, such as {@code "512Mi"}; overrides the component's.
   *
   * @throws IllegalArgumentException when the text is not a memory quantity
   */
  public Task memoryRequest(String memory) {
    overrides.memoryRequest = Resources.memory("memory request of task '" + name + "'", memory);
    return this;
  }

  /**
   * Memory limit of this task's container, such as {@code "4Gi"}; overrides the component's.
   *
   * @throws IllegalArgumentException when the text is not a memory quantity
   */
  public Task memoryLimit(String memory) {
    overrides.memoryLimit = Resources.memory("memory limit of task '" + name + "'", memory);
    return this;
  }

  /**
   * An accelerator for this task, such as {@code nvidia.com/gpu}, and how many.
   *
   * @throws IllegalArgumentException when the count is not positive
   */
  public Task accelerator(String type, int count) {
    overrides.accelerator = Resources.accelerator("task '" + name + "'", type, count);
    return this;
  }

  /**
   * An environment variable of this task's container, after the component's own.
   *
   * @throws IllegalArgumentException when the name is not an environment variable name
   */
  public Task env(String name, String value) {
    overrides.env.add(Resources.env("task '" + this.name + "'", name, value));
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

  /** Container settings of one task that override its component's. */
  static final class Overrides {
    String cpuRequest;
    String cpuLimit;
    String memoryRequest;
    String memoryLimit;
    AcceleratorConfig accelerator;
    final List<EnvVar> env = new ArrayList<>();
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
