package dev.keel.pipelines.spec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PipelineSpecWriterTest {
  static java.util.stream.Stream<Path> files() throws Exception {
    return ConformanceReadTest.files();
  }

  @ParameterizedTest
  @MethodSource("files")
  void yaml_round_trip_gives_an_equal_pipeline(Path file) {
    PipelineDocument doc = PipelineSpecReader.read(file);
    String yaml = PipelineSpecWriter.toYaml(doc);
    assertThat(yaml).startsWith("# PIPELINE DEFINITION\n# Name: " + doc.name() + "\n");
    assertThat(PipelineSpecReader.readText(yaml)).isEqualTo(doc);
    assertThat(yaml.contains("\n---\n")).isEqualTo(doc.platform() != null);
  }

  @ParameterizedTest
  @MethodSource("files")
  void json_round_trip_gives_an_equal_spec(Path file) {
    PipelineDocument doc = PipelineSpecReader.read(file);
    assertThat(PipelineSpecReader.readText(PipelineSpecWriter.toJson(doc)).spec())
        .isEqualTo(doc.spec());
  }

  @ParameterizedTest
  @MethodSource("files")
  void tree_keys_are_sorted_at_every_level(Path file) {
    assertSorted(PipelineSpecWriter.toTree(PipelineSpecReader.read(file).spec()));
  }

  static void assertSorted(JsonNode node) {
    if (node.isObject()) {
      List<String> keys = new ArrayList<>();
      node.properties().forEach(e -> keys.add(e.getKey()));
      assertThat(keys).isSorted();
      node.properties().forEach(e -> assertSorted(e.getValue()));
    } else if (node.isArray()) {
      node.forEach(PipelineSpecWriterTest::assertSorted);
    }
  }

  static final String TRICKY =
      """
      pipelineInfo: {name: tricky, description: "two\\nlines"}
      schemaVersion: 2.1.0
      root:
        inputDefinitions:
          parameters:
            n: {parameterType: NUMBER_INTEGER, defaultValue: 200.0, isOptional: true}
            s: {parameterType: STRING, defaultValue: 'true', isOptional: true}
          artifacts:
            data: {artifactType: {schemaTitle: system.Dataset, schemaVersion: 0.0.1}}
        outputDefinitions:
          parameters: {o: {parameterType: STRING}}
        dag:
          outputs:
            parameters: {o: {valueFromParameter: {producerSubtask: t, outputParameterKey: o}}}
          tasks:
            t:
              cachingOptions: {}
              componentRef: {name: comp-t}
              inputs:
                parameters:
                  a: {runtimeValue: {constant: 'null'}}
                  b: {runtimeValue: {constant: '0.5'}}
                  c: {runtimeValue: {constant: 'yes'}}
                  d: {runtimeValue: {constant: ''}}
                  e: {runtimeValue: {constant: '- x: y # z'}}
                  f: {runtimeValue: {constant: [1, 2.5, 'x', {k: ~}]}}
                  g: {runtimeValue: {constant: 200.0}}
                  h: {runtimeValue: {constant: '~'}}
                  i: {runtimeValue: {constant: '1e3'}}
      components:
        comp-t:
          executorLabel: exec-t
          inputDefinitions:
            parameters:
              a: {parameterType: STRING}
              b: {parameterType: STRING}
              c: {parameterType: STRING}
              d: {parameterType: STRING}
              e: {parameterType: STRING}
              f: {parameterType: LIST}
              g: {parameterType: NUMBER_INTEGER}
              h: {parameterType: STRING}
              i: {parameterType: STRING}
          outputDefinitions: {parameters: {o: {parameterType: STRING}}}
      deploymentSpec:
        executors:
          exec-t:
            container:
              image: alpine
              command: [sh, -c, "set -e\\necho \\"$0\\"\\n", "{{$.inputs.parameters['a']}}"]
      """;

  @Test
  void strings_that_look_like_other_yaml_values_and_numbers_survive_a_round_trip() {
    PipelineDocument doc = PipelineSpecReader.readText(TRICKY);
    String yaml = PipelineSpecWriter.toYaml(doc);
    PipelineDocument back = PipelineSpecReader.readText(yaml);
    assertThat(back).isEqualTo(doc);
    JsonNode g =
        back.spec()
            .root()
            .dag()
            .tasks()
            .get("t")
            .inputs()
            .parameters()
            .get("g")
            .runtimeValue()
            .constant();
    assertThat(g.isDouble()).isTrue();
    assertThat(g.asDouble()).isEqualTo(200.0);
    assertThat(PipelineValidator.validate(back)).isEmpty();
  }

  @Test
  void header_names_the_pipeline_and_its_inputs() {
    String yaml = PipelineSpecWriter.toYaml(PipelineSpecReader.readText(TRICKY));
    assertThat(yaml)
        .startsWith(
            """
            # PIPELINE DEFINITION
            # Name: tricky
            # Description: two lines
            # Inputs:
            #    n: NUMBER_INTEGER [Default: 200.0]
            #    s: STRING [Default: "true"]
            #    data: system.Dataset
            components:
            """);
    assertThat(yaml).contains("cachingOptions: {}");
  }

  @Test
  void platform_spec_is_the_second_document() {
    String yaml =
        PipelineSpecWriter.toYaml(
            PipelineSpecReader.readText(
                TRICKY
                    + "---\nplatforms: {kubernetes: {deploymentSpec: {executors: {exec-t:"
                    + " {nodeSelector: {labels: {disk: ssd}}}}}}}\n"));
    assertThat(yaml)
        .endsWith(
            """
            ---
            platforms:
              kubernetes:
                deploymentSpec:
                  executors:
                    exec-t:
                      nodeSelector:
                        labels:
                          disk: ssd
            """);
  }
}
