package dev.keel.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ValidationException;
import dev.keel.pipelines.spec.EnvVar;
import dev.keel.pipelines.spec.ParameterType;
import dev.keel.pipelines.spec.PipelineDocument;
import dev.keel.pipelines.spec.PipelineSpecReader;
import dev.keel.pipelines.spec.PipelineSpecWriter;
import dev.keel.pipelines.spec.PipelineValidator;
import dev.keel.pipelines.spec.ResourceSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PipelineDslTest {
  static Path conformance(String file) {
    return Path.of(
        System.getProperty("keel.shared", "../../shared"), "conformance", "kfp-ir", file);
  }

  static ContainerComponent printText() {
    return ContainerComponent.named("print-text")
        .image("alpine")
        .input("text", ParameterType.STRING)
        .command("sh", "-c", "set -e -x\necho \"$0\"\n", Placeholders.inputValue("text"));
  }

  /** The pipeline of KFP's {@code pipeline_with_after.py}, written with the Java DSL. */
  public static final class WithAfter implements PipelineDefinition {
    @Override
    public PipelineDocument pipeline() {
      ContainerComponent print = printText();
      Pipeline p = Pipeline.named("pipeline-with-after");
      Task t1 = p.task("print-text", print).with("text", "1st task");
      Task t2 = p.task("print-text-2", print).with("text", "2nd task").after(t1);
      p.task("print-text-3", print).with("text", "3rd task").after(t1, t2);
      return p.build();
    }
  }

  /** KFP's {@code container_with_concat_placeholder.py}, written with the Java DSL. */
  public static final class WithConcat {
    /** The pipeline. */
    public static PipelineDocument pipeline() {
      ContainerComponent c =
          ContainerComponent.named("container-with-concat-placeholder")
              .image("registry.access.redhat.com/ubi9/python-311:latest")
              .input("text1", ParameterType.STRING)
              .output("output_path", ParameterType.STRING)
              .outputArtifact("text2", ArtifactTypes.DATASET)
              .command(
                  "my_program",
                  Placeholders.concat(
                      "prefix-", Placeholders.inputValue("text1"), Placeholders.outputUri("text2")))
              .args("--output_path", Placeholders.outputParameterFile("output_path"));
      Pipeline p =
          Pipeline.named("container-with-concat-placeholder")
              .parameter("text1", ParameterType.STRING);
      Task t = p.task("container-with-concat-placeholder", c).with("text1", p.parameter("text1"));
      return p.output("output_path", t.output("output_path"))
          .output("text2", t.output("text2"))
          .build();
    }
  }

  static void assertSameIr(PipelineDocument dsl, PipelineDocument kfp) {
    assertThat(dsl.spec().pipelineInfo()).isEqualTo(kfp.spec().pipelineInfo());
    assertThat(dsl.spec().components()).isEqualTo(kfp.spec().components());
    assertThat(dsl.spec().deploymentSpec()).isEqualTo(kfp.spec().deploymentSpec());
    assertThat(dsl.spec().root()).isEqualTo(kfp.spec().root());
    assertThat(dsl.spec().schemaVersion()).isEqualTo(kfp.spec().schemaVersion());
    assertThat(dsl.platform()).isEqualTo(kfp.platform());
  }

  @Test
  void pipeline_with_after_builds_the_same_ir_as_kfps_compiler() {
    assertSameIr(
        new WithAfter().pipeline(),
        PipelineSpecReader.read(conformance("pipeline_with_after.yaml")));
  }

  @Test
  void container_with_concat_placeholder_builds_the_same_ir_as_kfps_compiler() {
    assertSameIr(
        WithConcat.pipeline(),
        PipelineSpecReader.read(conformance("container_with_concat_placeholder.yaml")));
  }

  @Test
  void if_present_is_kfps_string() {
    PipelineDocument kfp =
        PipelineSpecReader.read(conformance("container_with_if_placeholder.yaml"));
    String expected =
        kfp.spec()
            .deploymentSpec()
            .executors()
            .values()
            .iterator()
            .next()
            .container()
            .command()
            .get(1);
    assertThat(
            Placeholders.ifPresent(
                "optional_input",
                List.of(Placeholders.inputValue("optional_input")),
                List.of("bye")))
        .isEqualTo(expected);
    assertThat(Placeholders.ifPresent("x", List.of("--x", Placeholders.inputValue("x"))))
        .isEqualTo(
            "{\"IfPresent\": {\"InputName\": \"x\", \"Then\": [\"--x\","
                + " \"{{$.inputs.parameters['x']}}\"]}}");
  }

  @Test
  void placeholders_are_kfps_strings() {
    assertThat(Placeholders.inputValue("x")).isEqualTo("{{$.inputs.parameters['x']}}");
    assertThat(Placeholders.inputPath("d")).isEqualTo("{{$.inputs.artifacts['d'].path}}");
    assertThat(Placeholders.inputUri("d")).isEqualTo("{{$.inputs.artifacts['d'].uri}}");
    assertThat(Placeholders.outputPath("m")).isEqualTo("{{$.outputs.artifacts['m'].path}}");
    assertThat(Placeholders.outputUri("m")).isEqualTo("{{$.outputs.artifacts['m'].uri}}");
    assertThat(Placeholders.outputParameterFile("y"))
        .isEqualTo("{{$.outputs.parameters['y'].output_file}}");
    assertThat(Placeholders.executorOutputFile()).isEqualTo("{{$.outputs.output_file}}");
    assertThat(Placeholders.executorInput()).isEqualTo("{{$}}");
    assertThat(Placeholders.concat("a\"b", "c")).isEqualTo("{\"Concat\": [\"a\\\"b\", \"c\"]}");
    assertThatThrownBy(Placeholders::concat).hasMessage("concat needs at least one part");
  }

  static PipelineDocument full() {
    ContainerComponent produce =
        ContainerComponent.named("produce")
            .image("alpine")
            .input("n", ParameterType.NUMBER_INTEGER)
            .output("doubled", ParameterType.NUMBER_INTEGER)
            .outputArtifact("numbers", ArtifactTypes.DATASET)
            .command(
                "sh",
                "-c",
                "seq 1 \"$0\" > \"$1\"; echo $(( $0 * 2 )) > \"$2\"",
                Placeholders.inputValue("n"),
                Placeholders.outputPath("numbers"),
                Placeholders.outputParameterFile("doubled"))
            .cpuRequest("500m")
            .memoryLimit("256Mi")
            .env("MODE", "fast");
    ContainerComponent consume =
        ContainerComponent.named("consume")
            .image("alpine")
            .input("doubled", ParameterType.NUMBER_DOUBLE)
            .input("suffix", ParameterType.STRING, "!")
            .inputArtifact("numbers", ArtifactTypes.DATASET)
            .output("total", ParameterType.NUMBER_INTEGER)
            .outputArtifact("model", ArtifactTypes.MODEL)
            .outputArtifact("metrics", ArtifactTypes.METRICS)
            .outputArtifact("confusion", ArtifactTypes.CLASSIFICATION_METRICS)
            .command(
                "sh",
                "-c",
                "echo",
                Placeholders.inputPath("numbers"),
                Placeholders.outputParameterFile("total"),
                Placeholders.outputPath("model"),
                Placeholders.outputPath("metrics"),
                Placeholders.outputPath("confusion"));
    Pipeline p =
        Pipeline.named("dsl-full")
            .description("every DSL feature")
            .parameter("n", ParameterType.NUMBER_INTEGER, 3);
    Task a = p.task("produce", produce).with("n", p.parameter("n")).caching(false);
    Task b =
        p.task("consume", consume)
            .with("doubled", a.output("doubled"))
            .with("numbers", a.output("numbers"))
            .retry(2, "1s", 2.0, "10s")
            .cacheKey("v1")
            .displayName("Consume numbers")
            .cpuLimit("2")
            .memoryRequest("1Gi")
            .accelerator("nvidia.com/gpu", 1)
            .env("LEVEL", "debug");
    p.output("total", b.output("total"));
    p.output("numbers", a.output("numbers"));
    return p.build();
  }

  @Test
  void dsl_to_yaml_to_parse_gives_an_equal_pipeline_that_validates() {
    PipelineDocument doc = full();
    String yaml = PipelineSpecWriter.toYaml(doc);
    assertThat(yaml)
        .startsWith("# PIPELINE DEFINITION\n# Name: dsl-full\n# Description: every DSL feature\n")
        .contains("cachingOptions: {}")
        .contains("cacheKey: v1")
        .contains("maxRetryCount: 2");
    assertThat(PipelineSpecReader.readText(yaml)).isEqualTo(doc);
    assertThat(PipelineSpecReader.readText(PipelineSpecWriter.toJson(doc))).isEqualTo(doc);
    assertThat(PipelineValidator.validate(doc)).isEmpty();
    var consume = doc.spec().root().dag().tasks().get("consume");
    assertThat(consume.dependentTasks()).containsExactly("produce");
    assertThat(consume.taskInfo().name()).isEqualTo("Consume numbers");
    assertThat(consume.retryPolicy().backoffMaxDuration()).isEqualTo("10s");
  }

  @Test
  void task_settings_go_to_the_tasks_own_executor() {
    var executors = full().spec().deploymentSpec().executors();
    assertThat(executors.keySet()).containsExactly("exec-produce", "exec-consume");
    assertThat(executors.get("exec-produce").container().resources())
        .isEqualTo(new ResourceSpec(null, "256Mi", "500m", null, null, null, null, null, null));
    var consume = executors.get("exec-consume").container();
    assertThat(consume.resources().resourceCpuLimit()).isEqualTo("2");
    assertThat(consume.resources().resourceMemoryRequest()).isEqualTo("1Gi");
    assertThat(consume.resources().accelerator().resourceType()).isEqualTo("nvidia.com/gpu");
    assertThat(consume.resources().accelerator().resourceCount()).isEqualTo("1");
    assertThat(consume.env()).containsExactly(new EnvVar("LEVEL", "debug"));
  }

  @Test
  void one_component_used_by_two_tasks_gets_two_executors_with_their_own_settings() {
    ContainerComponent print = printText().env("A", "1");
    Pipeline p = Pipeline.named("twice");
    p.task("first", print).with("text", "x");
    p.task("second", print).with("text", "y").env("B", "2").memoryLimit("1Gi");
    var spec = p.build().spec();
    assertThat(spec.components().keySet()).containsExactly("comp-print-text", "comp-print-text-2");
    assertThat(spec.root().dag().tasks().get("second").componentRef().name())
        .isEqualTo("comp-print-text-2");
    var first = spec.deploymentSpec().executors().get("exec-print-text").container();
    var second = spec.deploymentSpec().executors().get("exec-print-text-2").container();
    assertThat(first.env()).containsExactly(new EnvVar("A", "1"));
    assertThat(first.resources()).isNull();
    assertThat(second.env()).containsExactly(new EnvVar("A", "1"), new EnvVar("B", "2"));
    assertThat(second.resources().resourceMemoryLimit()).isEqualTo("1Gi");
  }

  @Test
  void parameters_of_every_type_with_defaults_round_trip_and_validate() {
    ContainerComponent all =
        ContainerComponent.named("all")
            .image("alpine")
            .input("s", ParameterType.STRING)
            .input("i", ParameterType.NUMBER_INTEGER)
            .input("d", ParameterType.NUMBER_DOUBLE)
            .input("b", ParameterType.BOOLEAN)
            .input("l", ParameterType.LIST)
            .input("m", ParameterType.STRUCT)
            .optionalInput("o", ParameterType.STRING)
            .inputArtifact("any", ArtifactTypes.ARTIFACT)
            .command(
                "echo",
                Placeholders.ifPresent("o", List.of("--o", Placeholders.inputValue("o"))),
                Placeholders.inputUri("any"));
    ContainerComponent source =
        ContainerComponent.named("source")
            .image("alpine")
            .outputArtifact("model", ArtifactTypes.MODEL)
            .command("touch", Placeholders.outputPath("model"));
    Pipeline p =
        Pipeline.named("types")
            .parameter("s", ParameterType.STRING, "hi")
            .parameter("i", ParameterType.NUMBER_INTEGER, 7)
            .parameter("d", ParameterType.NUMBER_DOUBLE, 0.5)
            .parameter("b", ParameterType.BOOLEAN, true)
            .parameter("l", ParameterType.LIST, List.of(1, "two"))
            .parameter("m", ParameterType.STRUCT, Map.of("k", 1))
            .parameter("required", ParameterType.STRING);
    Task src = p.task("source", source);
    Task t = p.task("all", all).with("any", src.output("model"));
    for (String n : List.of("s", "i", "d", "b", "l", "m")) {
      t.with(n, p.parameter(n));
    }
    PipelineDocument doc = p.build();
    assertThat(PipelineValidator.validate(doc)).isEmpty();
    assertThat(PipelineSpecReader.readText(PipelineSpecWriter.toYaml(doc))).isEqualTo(doc);
    assertThat(doc.spec().root().inputDefinitions().parameters().get("i").isOptional()).isTrue();
    assertThat(doc.spec().root().inputDefinitions().parameters().get("required").isOptional())
        .isNull();
    assertThat(PipelineValidator.checkRunParameters(doc, Map.of()))
        .extracting(dev.keel.core.Problem::reason)
        .containsExactly("required parameter 'required' has no value and no default");
  }

  @Test
  void builder_misuse_says_what_to_do() {
    assertThatThrownBy(() -> ContainerComponent.named("Bad_Name"))
        .hasMessage(
            "component name 'Bad_Name' must be lower-case letters, digits and '-' (e.g. train-model)");
    assertThatThrownBy(() -> Pipeline.named("Bad Name"))
        .hasMessage("pipeline name 'Bad Name' must be lower-case letters, digits, '-' and '.'");
    Pipeline p = Pipeline.named("p").parameter("count", ParameterType.NUMBER_INTEGER);
    assertThatThrownBy(() -> p.task("Print", printText()))
        .hasMessage(
            "task name 'Print' must be lower-case letters, digits and '-' (e.g. train-model)");
    Task t = p.task("print", printText());
    assertThatThrownBy(() -> p.task("print", printText()))
        .hasMessage("pipeline 'p' already has a task 'print'");
    assertThatThrownBy(() -> t.with("txt", "x"))
        .hasMessage("component 'print-text' has no input 'txt'; it has [text]");
    assertThatThrownBy(() -> t.with("text", null))
        .hasMessage(
            "input 'text' of task 'print' is null; pass a constant, pipeline.parameter(name) or"
                + " task.output(name), or leave the input out if it is optional");
    assertThatThrownBy(() -> t.with("text", 3))
        .hasMessage("input 'text' of task 'print': expected STRING, found number 3");
    assertThatThrownBy(() -> t.with("text", p.parameter("count")))
        .hasMessage(
            "input 'text' of task 'print' is STRING but pipeline parameter 'count' is"
                + " NUMBER_INTEGER");
    assertThatThrownBy(() -> t.output("out"))
        .hasMessage(
            "component 'print-text' of task 'print' has no output 'out'; it has [] (declare"
                + " outputs with .output(name, type) or .outputArtifact(name, type))");
    assertThatThrownBy(() -> p.parameter("missing"))
        .hasMessage(
            "pipeline 'p' has no parameter 'missing'; declare it with parameter(name, type)");
    assertThatThrownBy(
            () -> Pipeline.named("q").parameter("n", ParameterType.NUMBER_INTEGER, "three"))
        .hasMessage("default of parameter 'n': expected NUMBER_INTEGER, found string \"three\"");
    assertThatThrownBy(() -> t.after(t)).hasMessage("task 'print' cannot run after itself");
    Task other = Pipeline.named("other").task("x", printText());
    assertThatThrownBy(() -> t.after(other))
        .hasMessage("task 'x' belongs to another pipeline; add it to this one first");
    assertThatThrownBy(() -> t.cpuLimit("lots"))
        .hasMessage(
            "cpu limit of task 'print': 'lots' is not a CPU quantity (examples: 500m, 2, 512Mi,"
                + " 4Gi)");
    assertThatThrownBy(() -> printText().memoryRequest("1 GB"))
        .hasMessageStartingWith("memory request of component 'print-text': '1 GB' is not a memory");
    assertThatThrownBy(() -> t.retry(2, "1m", 2.0, "10s"))
        .hasMessage(
            "backoffDuration of task 'print' '1m' is not a duration in seconds such as \"0s\","
                + " \"30s\" or \"3.5s\"");
    assertThatThrownBy(() -> t.retry(-1))
        .hasMessage("maxRetryCount of task 'print' must not be negative, was -1");
    assertThatThrownBy(() -> t.env("1X", "v"))
        .hasMessageStartingWith("environment variable name '1X' of task 'print' must start");
    assertThatThrownBy(() -> t.cacheKey(" "))
        .hasMessage("cache key of task 'print' is blank; use caching(false) to turn caching off");
    assertThatThrownBy(p::build)
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining(
            "required input parameter 'text' of component 'comp-print-text' has no value");
    assertThatThrownBy(() -> Pipeline.named("empty").build())
        .hasMessage("pipeline 'empty' has no tasks; add one with task(name, component)");
    Pipeline noImage = Pipeline.named("no-image");
    noImage.task("t", ContainerComponent.named("c").command("echo"));
    assertThatThrownBy(noImage::build)
        .hasMessage(
            "component 'c' needs an image: call .image(\"alpine\") or similar (used by task 't')");
  }

  @Test
  void artifact_and_parameter_wiring_mistakes_are_caught_at_the_builder() {
    ContainerComponent producer =
        ContainerComponent.named("producer")
            .image("alpine")
            .output("n", ParameterType.NUMBER_DOUBLE)
            .outputArtifact("model", ArtifactTypes.MODEL)
            .command("true");
    ContainerComponent consumer =
        ContainerComponent.named("consumer")
            .image("alpine")
            .input("n", ParameterType.NUMBER_INTEGER)
            .inputArtifact("data", ArtifactTypes.DATASET)
            .command("true");
    Pipeline p = Pipeline.named("wiring");
    Task a = p.task("a", producer);
    Task b = p.task("b", consumer);
    assertThatThrownBy(() -> b.with("n", a.output("n")))
        .hasMessage(
            "input 'n' of task 'b' is NUMBER_INTEGER but output 'n' of task 'a' is NUMBER_DOUBLE");
    assertThatThrownBy(() -> b.with("data", a.output("model")))
        .hasMessage(
            "input 'data' of task 'b' is system.Dataset but output 'model' of task 'a' is system.Model");
    assertThatThrownBy(() -> b.with("data", a.output("n")))
        .hasMessage(
            "input 'data' of task 'b' is an artifact but output 'n' of task 'a' is a parameter");
    assertThatThrownBy(() -> b.with("data", "gs://x"))
        .hasMessage(
            "input 'data' of task 'b' is an artifact: pass another task's output, such as"
                + " task.output(\"data\")");
    assertThatThrownBy(() -> b.with("n", b.output("missing")))
        .hasMessageStartingWith("component 'consumer' of task 'b' has no output 'missing'");
  }

  /** Compiler shapes. */
  public static final class StaticPipeline {
    /** The pipeline. */
    public static PipelineDocument pipeline() {
      return new WithAfter().pipeline();
    }
  }

  /** Not static. */
  public static final class InstanceMethod {
    /** The pipeline. */
    public PipelineDocument pipeline() {
      return null;
    }
  }

  /** Wrong return type. */
  public static final class WrongReturn {
    /** Not a pipeline. */
    public static String pipeline() {
      return "";
    }
  }

  /** No no-arg constructor. */
  public static final class NeedsArgument implements PipelineDefinition {
    /** A constructor with an argument. */
    public NeedsArgument(String x) {}

    @Override
    public PipelineDocument pipeline() {
      return null;
    }
  }

  /** Fails while building. */
  public static final class Broken implements PipelineDefinition {
    @Override
    public PipelineDocument pipeline() {
      return Pipeline.named("broken").parameter("x", ParameterType.BOOLEAN, "no").build();
    }
  }

  /** Returns null. */
  public static final class ReturnsNull implements PipelineDefinition {
    @Override
    public PipelineDocument pipeline() {
      return null;
    }
  }

  @Test
  void compiler_loads_a_definition_class_or_a_static_method_and_explains_wrong_ones() {
    ClassLoader cl = getClass().getClassLoader();
    assertThat(Compiler.compile(WithAfter.class.getName(), cl).name())
        .isEqualTo("pipeline-with-after");
    assertThat(Compiler.compile(StaticPipeline.class.getName(), cl))
        .isEqualTo(new WithAfter().pipeline());
    assertThat(Compiler.compile(WithConcat.class.getName(), cl).name())
        .isEqualTo("container-with-concat-placeholder");
    assertThatThrownBy(() -> Compiler.compile("no.such.Type", cl))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("no class 'no.such.Type' on the classpath");
    assertThatThrownBy(() -> Compiler.compile(String.class.getName(), cl))
        .hasMessageContaining(
            "java.lang.String must implement dev.keel.sdk.PipelineDefinition (with a public"
                + " no-argument constructor) or have 'public static PipelineDocument pipeline()'");
    assertThatThrownBy(() -> Compiler.compile(InstanceMethod.class.getName(), cl))
        .hasMessageContaining(".pipeline() is not static");
    assertThatThrownBy(() -> Compiler.compile(WrongReturn.class.getName(), cl))
        .hasMessageContaining(".pipeline() returns java.lang.String; it must return");
    assertThatThrownBy(() -> Compiler.compile(NeedsArgument.class.getName(), cl))
        .hasMessageContaining("has no public no-argument constructor; add one");
    assertThatThrownBy(() -> Compiler.compile(Broken.class.getName(), cl))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining(
            "failed to build its pipeline: default of parameter 'x': expected BOOLEAN, found"
                + " string \"no\"");
    assertThatThrownBy(() -> Compiler.compile(ReturnsNull.class.getName(), cl))
        .hasMessageContaining(".pipeline() returned null");
    assertThatThrownBy(() -> Compiler.compile(PipelineDefinition.class.getName(), cl))
        .hasMessageContaining("is abstract");
  }
}
