package dev.keel.pipelines.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.keel.core.Problem;
import dev.keel.core.ValidationException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PipelineValidatorTest {
  static java.util.stream.Stream<Path> files() throws Exception {
    return ConformanceReadTest.files();
  }

  @ParameterizedTest
  @MethodSource("files")
  void kfp_compiled_pipelines_have_no_problems(Path file) {
    assertThat(PipelineValidator.validate(PipelineSpecReader.read(file))).isEmpty();
  }

  static final String GOOD =
      """
      pipelineInfo: {name: p}
      schemaVersion: 2.1.0
      root:
        inputDefinitions: {parameters: {n: {parameterType: NUMBER_INTEGER}}}
        dag:
          tasks:
            a:
              componentRef: {name: comp-a}
              inputs: {parameters: {n: {componentInputParameter: n}}}
            b:
              componentRef: {name: comp-b}
              dependentTasks: [a]
              inputs: {parameters: {x: {taskOutputParameter: {producerTask: a, outputParameterKey: out}}}}
      components:
        comp-a:
          executorLabel: exec-a
          inputDefinitions: {parameters: {n: {parameterType: NUMBER_INTEGER}}}
          outputDefinitions: {parameters: {out: {parameterType: NUMBER_INTEGER}}}
        comp-b:
          executorLabel: exec-b
          inputDefinitions: {parameters: {x: {parameterType: NUMBER_DOUBLE}}}
      deploymentSpec:
        executors:
          exec-a: {container: {image: alpine, command: [echo]}}
          exec-b: {container: {image: alpine, command: [echo]}}
      """;

  static List<Problem> problems(String yaml) {
    return PipelineValidator.validate(PipelineSpecReader.readText(yaml));
  }

  @Test
  void a_good_pipeline_has_no_problems_and_int_flows_into_double() {
    assertThat(problems(GOOD)).isEmpty();
  }

  @Test
  void unknown_component_and_executor_are_named_with_paths() {
    List<Problem> p =
        problems(
            GOOD.replace("componentRef: {name: comp-b}", "componentRef: {name: comp-z}")
                .replace("executorLabel: exec-a", "executorLabel: exec-q"));
    assertThat(p)
        .contains(
            new Problem(
                "root.dag.tasks.b.componentRef.name", "no component 'comp-z' in components"))
        .contains(
            new Problem(
                "components.comp-a.executorLabel", "no executor 'exec-q' in deploymentSpec"));
  }

  @Test
  void unknown_producer_task_and_output_key() {
    assertThat(problems(GOOD.replace("producerTask: a,", "producerTask: nope,")))
        .extracting(Problem::reason)
        .contains("no task 'nope' in this DAG");
    assertThat(problems(GOOD.replace("outputParameterKey: out", "outputParameterKey: zzz")))
        .extracting(Problem::toString)
        .contains(
            "root.dag.tasks.b.inputs.parameters.x.taskOutputParameter: task 'a' has no output parameter 'zzz'");
  }

  @Test
  void cycles_are_reported_with_the_cycle() {
    String cyclic =
        GOOD.replace(
            "componentRef: {name: comp-a}",
            "componentRef: {name: comp-a}\n        dependentTasks: [b]");
    assertThat(problems(cyclic))
        .extracting(Problem::reason)
        .anyMatch(r -> r.startsWith("cycle: ") && r.contains("a -> b") || r.contains("b -> a"));
  }

  @Test
  void type_mismatch_between_producer_and_consumer() {
    String mismatch =
        GOOD.replace(
            "outputDefinitions: {parameters: {out: {parameterType: NUMBER_INTEGER}}}",
            "outputDefinitions: {parameters: {out: {parameterType: STRING}}}");
    assertThat(problems(mismatch))
        .extracting(Problem::reason)
        .contains("type mismatch: task 'a' output 'out' is STRING but the input is NUMBER_DOUBLE");
  }

  @Test
  void required_input_without_a_value() {
    String missing =
        GOOD.replace(
            "inputs: {parameters: {n: {componentInputParameter: n}}}", "cachingOptions: {}");
    assertThat(problems(missing))
        .contains(
            new Problem(
                "root.dag.tasks.a.inputs.parameters",
                "required input parameter 'n' of component 'comp-a' has no value"));
  }

  @Test
  void bad_schema_version_and_several_problems_at_once() {
    List<Problem> p =
        problems(
            GOOD.replace("schemaVersion: 2.1.0", "schemaVersion: 2.0.0")
                .replace("producerTask: a,", "producerTask: nope,"));
    assertThat(p).hasSizeGreaterThanOrEqualTo(2);
    assertThat(p)
        .contains(new Problem("schemaVersion", "'2.0.0' is not supported; expected 2.1.0"));
  }

  @Test
  void unknown_fields_are_reported_by_path_by_the_reader() {
    assertThatThrownBy(
            () ->
                PipelineSpecReader.readText(
                    GOOD.replace(
                        "dependentTasks: [a]", "dependentTasks: [a]\n        colour: blue")))
        .isInstanceOf(ValidationException.class)
        .satisfies(
            e ->
                assertThat(((ValidationException) e).problems())
                    .contains(new Problem("root.dag.tasks.b.colour", "unknown field 'colour'")));
  }

  @Test
  void broken_yaml_names_the_line() {
    assertThatThrownBy(() -> PipelineSpecReader.readText("pipelineInfo: {name: [\n"))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("line");
  }

  @Test
  void run_parameters_are_checked_by_type_and_presence() {
    PipelineDocument doc = PipelineSpecReader.readText(GOOD);
    assertThat(PipelineValidator.checkRunParameters(doc, Map.of()))
        .extracting(Problem::reason)
        .containsExactly("required parameter 'n' has no value and no default");
    assertThat(PipelineValidator.checkRunParameters(doc, Map.of("n", TextNode.valueOf("x"))))
        .extracting(Problem::reason)
        .containsExactly("expected NUMBER_INTEGER, found string \"x\"");
    assertThat(PipelineValidator.checkRunParameters(doc, Map.of("n", IntNode.valueOf(3))))
        .isEmpty();
    assertThat(
            PipelineValidator.checkRunParameters(
                doc, Map.of("n", new com.fasterxml.jackson.databind.node.DoubleNode(3.0))))
        .isEmpty();
  }

  @Test
  void cli_values_are_parsed_by_type() {
    assertThat(PipelineValidator.coerceCliValue(ParameterType.NUMBER_INTEGER, "42").asLong())
        .isEqualTo(42);
    assertThat(PipelineValidator.coerceCliValue(ParameterType.BOOLEAN, "true").asBoolean())
        .isTrue();
    assertThat(PipelineValidator.coerceCliValue(ParameterType.LIST, "[1, 2]").size()).isEqualTo(2);
    assertThat(PipelineValidator.coerceCliValue(ParameterType.STRING, "42").isTextual()).isTrue();
    assertThatThrownBy(() -> PipelineValidator.coerceCliValue(ParameterType.NUMBER_INTEGER, "many"))
        .hasMessage("'many' is not an integer");
  }
}
