package dev.keel.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.Json;
import dev.keel.core.Problem;
import dev.keel.core.ValidationException;
import dev.keel.pipelines.spec.ArtifactSelectorSpec;
import dev.keel.pipelines.spec.ComponentSpec;
import dev.keel.pipelines.spec.DagOutputArtifactSpec;
import dev.keel.pipelines.spec.DagOutputParameterSpec;
import dev.keel.pipelines.spec.DagOutputsSpec;
import dev.keel.pipelines.spec.DagSpec;
import dev.keel.pipelines.spec.DeploymentSpec;
import dev.keel.pipelines.spec.ExecutorSpec;
import dev.keel.pipelines.spec.InputsSpec;
import dev.keel.pipelines.spec.OutputArtifactSpec;
import dev.keel.pipelines.spec.OutputParameterSpec;
import dev.keel.pipelines.spec.OutputsSpec;
import dev.keel.pipelines.spec.ParameterSelectorSpec;
import dev.keel.pipelines.spec.ParameterSpec;
import dev.keel.pipelines.spec.ParameterType;
import dev.keel.pipelines.spec.PipelineDocument;
import dev.keel.pipelines.spec.PipelineInfo;
import dev.keel.pipelines.spec.PipelineSpec;
import dev.keel.pipelines.spec.PipelineTaskSpec;
import dev.keel.pipelines.spec.PipelineValidator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A pipeline built in Java that compiles to KFP's PipelineSpec IR, the same format the KFP Python
 * SDK writes.
 *
 * <pre>{@code
 * Pipeline p = Pipeline.named("hello").parameter("text", ParameterType.STRING, "hi");
 * p.task("say", echo).with("text", p.parameter("text"));
 * PipelineDocument doc = p.build();
 * }</pre>
 */
public final class Pipeline {
  private static final Pattern NAME =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private final String name;
  private String description;
  private final Map<String, ParameterSpec> parameters = new LinkedHashMap<>();
  private final Map<String, Task> tasks = new LinkedHashMap<>();
  private final Map<String, Task.Output> outputs = new LinkedHashMap<>();

  private Pipeline(String name) {
    this.name = name;
  }

  /**
   * A pipeline called {@code name} (a DNS-like name, as KFP requires).
   *
   * @throws IllegalArgumentException when the name is not of that form
   */
  public static Pipeline named(String name) {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "pipeline name '" + name + "' must be lower-case letters, digits, '-' and '.'");
    }
    return new Pipeline(name);
  }

  private static final Pattern TASK_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  /** What the pipeline does. */
  public Pipeline description(String description) {
    this.description = description;
    return this;
  }

  /** A required pipeline parameter. */
  public Pipeline parameter(String name, ParameterType type) {
    addParameter(name, new ParameterSpec(type, null, null, null, null, null));
    return this;
  }

  /** A pipeline parameter with a default. */
  public Pipeline parameter(String name, ParameterType type, Object defaultValue) {
    JsonNode value = Json.json().valueToTree(defaultValue);
    String bad = PipelineValidator.typeError(type, value);
    if (bad != null) {
      throw new IllegalArgumentException("default of parameter '" + name + "': " + bad);
    }
    addParameter(name, new ParameterSpec(type, value, true, null, null, null));
    return this;
  }

  private void addParameter(String name, ParameterSpec spec) {
    if (parameters.putIfAbsent(name, spec) != null) {
      throw new IllegalArgumentException(
          "pipeline '" + this.name + "' already has a parameter '" + name + "'");
    }
  }

  /**
   * A reference to pipeline parameter {@code name}, to pass to {@link Task#with}.
   *
   * @throws IllegalArgumentException when the pipeline has no such parameter
   */
  public Parameter parameter(String name) {
    if (!parameters.containsKey(name)) {
      throw new IllegalArgumentException(
          "pipeline '"
              + this.name
              + "' has no parameter '"
              + name
              + "'; declare it with parameter(name, type)");
    }
    return new Parameter(name);
  }

  /** The type of a declared parameter, or {@code null} when there is none. */
  ParameterType parameterType(String name) {
    ParameterSpec p = parameters.get(name);
    return p == null ? null : p.parameterType();
  }

  /**
   * Adds a task called {@code name} running {@code component}. Each task gets its own component and
   * executor in the IR ({@code comp-<component>}, then {@code -2}, {@code -3}, ... as KFP names
   * them), so that its container settings are its own.
   *
   * @throws IllegalArgumentException when the name is taken or not of the form {@code train-model}
   */
  public Task task(String name, ContainerComponent component) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(component, "component");
    if (!TASK_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "task name '" + name + "' must be lower-case letters, digits and '-' (e.g. train-model)");
    }
    if (tasks.containsKey(name)) {
      throw new IllegalArgumentException(
          "pipeline '" + this.name + "' already has a task '" + name + "'");
    }
    Task t = new Task(this, name, component);
    tasks.put(name, t);
    return t;
  }

  /**
   * Makes a task's output a pipeline output called {@code name}.
   *
   * @throws IllegalArgumentException when the name is taken or the task is of another pipeline
   */
  public Pipeline output(String name, Task.Output output) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(output, "output");
    if (tasks.get(output.task().name) != output.task()) {
      throw new IllegalArgumentException(
          "output '"
              + output.key()
              + "' is of task '"
              + output.task().name
              + "' of another pipeline");
    }
    if (outputs.putIfAbsent(name, output) != null) {
      throw new IllegalArgumentException(
          "pipeline '" + this.name + "' already has an output '" + name + "'");
    }
    return this;
  }

  /**
   * The compiled pipeline.
   *
   * @throws ValidationException listing every problem (a required input without a value, ...)
   * @throws IllegalStateException when there are no tasks or a component lacks its image or command
   */
  public PipelineDocument build() {
    if (tasks.isEmpty()) {
      throw new IllegalStateException(
          "pipeline '" + name + "' has no tasks; add one with task(name, component)");
    }
    Map<String, ComponentSpec> components = new LinkedHashMap<>();
    Map<String, ExecutorSpec> executors = new LinkedHashMap<>();
    Map<String, PipelineTaskSpec> taskSpecs = new LinkedHashMap<>();
    for (Task t : tasks.values()) {
      String missing = t.component.incomplete();
      if (missing != null) {
        throw new IllegalStateException(missing + " (used by task '" + t.name + "')");
      }
      String base = t.component.name;
      String suffix = "";
      for (int n = 2;
          components.containsKey("comp-" + base + suffix)
              || executors.containsKey("exec-" + base + suffix);
          n++) {
        suffix = "-" + n;
      }
      String key = "comp-" + base + suffix;
      String exec = "exec-" + base + suffix;
      components.put(key, t.component.toSpec(exec));
      executors.put(exec, new ExecutorSpec(t.component.toContainer(t.overrides), null, null, null));
      taskSpecs.put(t.name, t.toSpec(key));
    }
    Map<String, OutputParameterSpec> outParams = new LinkedHashMap<>();
    Map<String, OutputArtifactSpec> outArtifacts = new LinkedHashMap<>();
    Map<String, DagOutputParameterSpec> dagParams = new LinkedHashMap<>();
    Map<String, DagOutputArtifactSpec> dagArtifacts = new LinkedHashMap<>();
    outputs.forEach(
        (name, out) -> {
          if (out.artifact()) {
            outArtifacts.put(name, out.task().component.outputArtifacts.get(out.key()));
            dagArtifacts.put(
                name,
                new DagOutputArtifactSpec(
                    List.of(new ArtifactSelectorSpec(out.task().name, out.key()))));
          } else {
            OutputParameterSpec spec = out.task().component.outputs.get(out.key());
            outParams.put(name, new OutputParameterSpec(spec.parameterType(), null, null));
            dagParams.put(
                name,
                new DagOutputParameterSpec(
                    new ParameterSelectorSpec(out.task().name, out.key()), null));
          }
        });
    ComponentSpec root =
        new ComponentSpec(
            parameters.isEmpty() ? null : new InputsSpec(parameters, null),
            outputs.isEmpty() ? null : new OutputsSpec(outParams, outArtifacts),
            null,
            new DagSpec(
                taskSpecs, outputs.isEmpty() ? null : new DagOutputsSpec(dagParams, dagArtifacts)),
            null,
            null);
    PipelineSpec spec =
        new PipelineSpec(
            new PipelineInfo(name, null, description),
            new DeploymentSpec(executors),
            components,
            root,
            "2.1.0",
            "keel-sdk-0.1.0",
            null);
    PipelineDocument doc = new PipelineDocument(spec, null);
    List<Problem> problems = PipelineValidator.validate(doc);
    if (!problems.isEmpty()) {
      throw new ValidationException(problems);
    }
    return doc;
  }

  /**
   * A pipeline parameter reference.
   *
   * @param name the parameter's name
   */
  public record Parameter(String name) {}
}
