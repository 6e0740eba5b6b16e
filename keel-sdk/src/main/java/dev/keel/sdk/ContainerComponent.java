package dev.keel.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.Json;
import dev.keel.pipelines.spec.AcceleratorConfig;
import dev.keel.pipelines.spec.ArtifactSpec;
import dev.keel.pipelines.spec.ArtifactTypeSchema;
import dev.keel.pipelines.spec.ComponentSpec;
import dev.keel.pipelines.spec.ContainerSpec;
import dev.keel.pipelines.spec.EnvVar;
import dev.keel.pipelines.spec.InputsSpec;
import dev.keel.pipelines.spec.OutputArtifactSpec;
import dev.keel.pipelines.spec.OutputParameterSpec;
import dev.keel.pipelines.spec.OutputsSpec;
import dev.keel.pipelines.spec.ParameterSpec;
import dev.keel.pipelines.spec.ParameterType;
import dev.keel.pipelines.spec.ResourceSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A container component: an image, a command with placeholders, and typed inputs and outputs — what
 * {@code @dsl.container_component} describes in KFP. Build one, then add it to a {@link Pipeline}
 * as tasks.
 *
 * <pre>{@code
 * ContainerComponent echo = ContainerComponent.named("echo")
 *     .image("alpine")
 *     .input("text", ParameterType.STRING)
 *     .command("echo", Placeholders.inputValue("text"));
 * }</pre>
 */
public final class ContainerComponent {
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  final String name;
  private String image;
  private final List<String> command = new ArrayList<>();
  private final List<String> args = new ArrayList<>();
  private final List<EnvVar> env = new ArrayList<>();
  final Map<String, ParameterSpec> inputs = new LinkedHashMap<>();
  final Map<String, ArtifactSpec> inputArtifacts = new LinkedHashMap<>();
  final Map<String, OutputParameterSpec> outputs = new LinkedHashMap<>();
  final Map<String, OutputArtifactSpec> outputArtifacts = new LinkedHashMap<>();
  private String cpuRequest;
  private String cpuLimit;
  private String memoryRequest;
  private String memoryLimit;
  private AcceleratorConfig accelerator;

  private ContainerComponent(String name) {
    this.name = name;
  }

  /**
   * A component called {@code name}: lower-case letters, digits and '-', as KFP names components.
   *
   * @throws IllegalArgumentException when the name is not of that form
   */
  public static ContainerComponent named(String name) {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "component name '"
              + name
              + "' must be lower-case letters, digits and '-' (e.g. train-model)");
    }
    return new ContainerComponent(name);
  }

  /** The container image (the local runtime maps it to local programs). */
  public ContainerComponent image(String image) {
    this.image = Objects.requireNonNull(image, "image");
    return this;
  }

  /** The command; elements may be placeholders. Replaces any command set before. */
  public ContainerComponent command(String... command) {
    this.command.clear();
    this.command.addAll(List.of(command));
    return this;
  }

  /** The args; elements may be placeholders. Replaces any args set before. */
  public ContainerComponent args(String... args) {
    this.args.clear();
    this.args.addAll(List.of(args));
    return this;
  }

  /**
   * An environment variable of the container, for every task of this component.
   *
   * @throws IllegalArgumentException when the name is not an environment variable name
   */
  public ContainerComponent env(String name, String value) {
    env.add(Resources.env("component '" + this.name + "'", name, value));
    return this;
  }

  /** A required input parameter. */
  public ContainerComponent input(String name, ParameterType type) {
    checkNew(name);
    inputs.put(name, new ParameterSpec(type, null, null, null, null, null));
    return this;
  }

  /** An input parameter with a default, which makes it optional. */
  public ContainerComponent input(String name, ParameterType type, Object defaultValue) {
    checkNew(name);
    JsonNode value = Json.json().valueToTree(defaultValue);
    inputs.put(name, new ParameterSpec(type, value, true, null, null, null));
    return this;
  }

  /** An optional input parameter without a default (see {@link Placeholders#ifPresent}). */
  public ContainerComponent optionalInput(String name, ParameterType type) {
    checkNew(name);
    inputs.put(name, new ParameterSpec(type, null, true, null, null, null));
    return this;
  }

  /** An input artifact. */
  public ContainerComponent inputArtifact(String name, ArtifactTypeSchema type) {
    checkNew(name);
    inputArtifacts.put(name, new ArtifactSpec(type, null, null, null));
    return this;
  }

  /** An output parameter, written to {@link Placeholders#outputParameterFile}. */
  public ContainerComponent output(String name, ParameterType type) {
    checkNewOutput(name);
    outputs.put(name, new OutputParameterSpec(type, null, null));
    return this;
  }

  /** An output artifact, written to {@link Placeholders#outputPath}. */
  public ContainerComponent outputArtifact(String name, ArtifactTypeSchema type) {
    checkNewOutput(name);
    outputArtifacts.put(name, new OutputArtifactSpec(type, null, null, null));
    return this;
  }

  /**
   * CPU request of every task of this component, such as {@code "500m"} or {@code "2"}.
   *
   * @throws IllegalArgumentException when the text is not a CPU quantity
   */
  public ContainerComponent cpuRequest(String cpu) {
    this.cpuRequest = Resources.cpu("cpu request of component '" + name + "'", cpu);
    return this;
  }

  /**
   * CPU limit of every task of this component, such as {@code "2"}.
   *
   * @throws IllegalArgumentException when the text is not a CPU quantity
   */
  public ContainerComponent cpuLimit(String cpu) {
    this.cpuLimit = Resources.cpu("cpu limit of component '" + name + "'", cpu);
    return this;
  }

  /**
   * Memory request of every task of this component, such as {@code "512Mi"}.
   *
   * @throws IllegalArgumentException when the text is not a memory quantity
   */
  public ContainerComponent memoryRequest(String memory) {
    this.memoryRequest = Resources.memory("memory request of component '" + name + "'", memory);
    return this;
  }

  /**
   * Memory limit of every task of this component, such as {@code "4Gi"}.
   *
   * @throws IllegalArgumentException when the text is not a memory quantity
   */
  public ContainerComponent memoryLimit(String memory) {
    this.memoryLimit = Resources.memory("memory limit of component '" + name + "'", memory);
    return this;
  }

  /**
   * An accelerator, such as {@code nvidia.com/gpu}, and how many.
   *
   * @throws IllegalArgumentException when the count is not positive
   */
  public ContainerComponent accelerator(String type, int count) {
    this.accelerator = Resources.accelerator("component '" + name + "'", type, count);
    return this;
  }

  private void checkNew(String input) {
    if (inputs.containsKey(input) || inputArtifacts.containsKey(input)) {
      throw new IllegalArgumentException(
          "component '" + name + "' already has an input '" + input + "'");
    }
  }

  private void checkNewOutput(String output) {
    if (outputs.containsKey(output) || outputArtifacts.containsKey(output)) {
      throw new IllegalArgumentException(
          "component '" + name + "' already has an output '" + output + "'");
    }
  }

  ComponentSpec toSpec(String executorLabel) {
    return new ComponentSpec(
        inputs.isEmpty() && inputArtifacts.isEmpty()
            ? null
            : new InputsSpec(inputs, inputArtifacts),
        outputs.isEmpty() && outputArtifacts.isEmpty()
            ? null
            : new OutputsSpec(outputs, outputArtifacts),
        executorLabel,
        null,
        null,
        null);
  }

  /** What is missing before this component can run, or {@code null}. */
  String incomplete() {
    if (image == null) {
      return "component '" + name + "' needs an image: call .image(\"alpine\") or similar";
    }
    if (command.isEmpty() && args.isEmpty()) {
      return "component '" + name + "' needs a command: call .command(\"echo\", ...)";
    }
    return null;
  }

  /** The container of one task: this component's settings, then the task's own. */
  ContainerSpec toContainer(Task.Overrides task) {
    String cpuReq = task.cpuRequest != null ? task.cpuRequest : cpuRequest;
    String cpuLim = task.cpuLimit != null ? task.cpuLimit : cpuLimit;
    String memReq = task.memoryRequest != null ? task.memoryRequest : memoryRequest;
    String memLim = task.memoryLimit != null ? task.memoryLimit : memoryLimit;
    AcceleratorConfig acc = task.accelerator != null ? task.accelerator : accelerator;
    boolean hasResources =
        cpuReq != null || cpuLim != null || memReq != null || memLim != null || acc != null;
    List<EnvVar> allEnv = new ArrayList<>(env);
    allEnv.addAll(task.env);
    return new ContainerSpec(
        image,
        command,
        args,
        allEnv,
        hasResources
            ? new ResourceSpec(cpuLim, memLim, cpuReq, memReq, acc, null, null, null, null)
            : null,
        null);
  }
}
