package dev.keel.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ValidationException;
import dev.keel.pipelines.spec.ParameterType;
import dev.keel.pipelines.spec.PipelineDocument;
import dev.keel.pipelines.spec.PipelineSpecReader;
import dev.keel.pipelines.spec.PipelineSpecWriter;
import dev.keel.pipelines.spec.PipelineValidator;
import java.nio.file.Path;
import java.util.List;
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
      Pipeline p = Pipeline.named("pipeline-with-after");
      Task t1 = p.task("print-text", printText()).with("text", "1st task");
      Task t2 = p.task("print-text-2", printText()).with("text", "2nd task").after(t1);
      p.task("print-text-3", printText()).with("text", "3rd task").after(t1, t2);
      return p.build();
    }
  }

  @Test
  void dsl_builds_the_same_ir_as_kfps_compiler() {
    PipelineDocument kfp = PipelineSpecReader.read(conformance("pipeline_with_after.yaml"));
    PipelineDocument dsl = new WithAfter().pipeline();
    assertThat(dsl.spec().pipelineInfo()).isEqualTo(kfp.spec().pipelineInfo());
    assertThat(dsl.spec().components()).isEqualTo(kfp.spec().components());
    assertThat(dsl.spec().deploymentSpec()).isEqualTo(kfp.spec().deploymentSpec());
    assertThat(dsl.spec().root()).isEqualTo(kfp.spec().root());
  }

  @Test
  void concat_and_if_present_placeholders_are_kfps_strings() {
    PipelineDocument kfp =
        PipelineSpecReader.read(conformance("container_with_concat_placeholder.yaml"));
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
            Placeholders.concat(
                "prefix-", Placeholders.inputValue("text1"), Placeholders.outputUri("text2")))
        .isEqualTo(expected);
    PipelineDocument ifKfp =
        PipelineSpecReader.read(conformance("container_with_if_placeholder.yaml"));
    String expectedIf =
        ifKfp
            .spec()
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
        .isEqualTo(expectedIf);
    assertThat(Placeholders.outputParameterFile("output_path"))
        .isEqualTo("{{$.outputs.parameters['output_path'].output_file}}");
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
            .input("doubled", ParameterType.NUMBER_INTEGER)
            .input("suffix", ParameterType.STRING, "!")
            .inputArtifact("numbers", ArtifactTypes.DATASET)
            .output("total", ParameterType.NUMBER_INTEGER)
            .command(
                "sh",
                "-c",
                "echo",
                Placeholders.inputPath("numbers"),
                Placeholders.outputParameterFile("total"));
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
            .cacheKey("v1");
    p.output("total", b.output("total"));
    p.output("numbers", a.output("numbers"));
    return p.build();
  }

  @Test
  void dsl_to_yaml_to_parse_gives_an_equal_pipeline_that_validates() {
    PipelineDocument doc = full();
    String yaml = PipelineSpecWriter.toYaml(doc);
    assertThat(yaml)
        .contains("cachingOptions: {}")
        .contains("cacheKey: v1")
        .contains("maxRetryCount: 2");
    assertThat(PipelineSpecReader.readText(yaml)).isEqualTo(doc);
    assertThat(PipelineValidator.validate(doc)).isEmpty();
    assertThat(doc.spec().root().dag().tasks().get("consume").dependentTasks())
        .containsExactly("produce");
  }

  @Test
  void builder_misuse_says_what_to_do() {
    assertThatThrownBy(() -> ContainerComponent.named("Bad_Name"))
        .hasMessageContaining("lower-case letters");
    Pipeline p = Pipeline.named("p");
    Task t = p.task("print", printText());
    assertThatThrownBy(() -> t.with("txt", "x"))
        .hasMessage("component 'print-text' has no input 'txt'; it has [text]");
    assertThatThrownBy(() -> t.output("out")).hasMessageContaining("has no output 'out'");
    assertThatThrownBy(() -> p.parameter("missing")).hasMessageContaining("declare it");
    assertThatThrownBy(
            () -> Pipeline.named("q").parameter("n", ParameterType.NUMBER_INTEGER, "three"))
        .hasMessageContaining("expected NUMBER_INTEGER");
    assertThatThrownBy(p::build)
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("required input parameter 'text'");
  }

  @Test
  void compiler_loads_a_definition_class_and_explains_wrong_ones() {
    PipelineDocument doc = Compiler.compile(WithAfter.class.getName(), getClass().getClassLoader());
    assertThat(doc.name()).isEqualTo("pipeline-with-after");
    assertThatThrownBy(() -> Compiler.compile("no.such.Type", getClass().getClassLoader()))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("no class 'no.such.Type'");
    assertThatThrownBy(() -> Compiler.compile(String.class.getName(), getClass().getClassLoader()))
        .hasMessageContaining("must implement dev.keel.sdk.PipelineDefinition");
  }
}
