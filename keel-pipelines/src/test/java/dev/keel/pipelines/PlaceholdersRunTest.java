package dev.keel.pipelines;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.Json;
import dev.keel.store.RunRecord;
import dev.keel.store.TaskRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Placeholders and the executor contract, seen from inside a real process. */
class PlaceholdersRunTest extends EngineTests {
  static final String SHOW =
      """
      pipelineInfo: {name: placeholders}
      schemaVersion: 2.1.0
      root:
        inputDefinitions: {parameters: {text: {parameterType: STRING, defaultValue: abc}}}
        dag:
          tasks:
            show:
              componentRef: {name: comp-show}
              cachingOptions: {}
              inputs:
                parameters:
                  text1: {componentInputParameter: text}
                  job: {runtimeValue: {constant: "{{$.pipeline_job_uuid}}"}}
                  resource: {runtimeValue: {constant: "{{$.pipeline_job_resource_name}}"}}
                  task: {runtimeValue: {constant: "{{$.pipeline_task_name}}"}}
      components:
        comp-show:
          executorLabel: exec-show
          inputDefinitions:
            parameters:
              text1: {parameterType: STRING}
              job: {parameterType: STRING}
              resource: {parameterType: STRING}
              task: {parameterType: STRING}
              optional_input: {parameterType: STRING, isOptional: true}
          outputDefinitions:
            artifacts: {out: {artifactType: {schemaTitle: system.Artifact, schemaVersion: 0.0.1}}}
      deploymentSpec:
        executors:
          exec-show:
            container:
              image: alpine
              command: [sh, -c, 'for a in "$@"; do echo "arg=$a"; done', sh]
              args:
                - '{"Concat": ["prefix-", "{{$.inputs.parameters[''text1'']}}", "-suffix"]}'
                - '{"IfPresent": {"InputName": "optional_input", "Then": ["--opt", "{{$.inputs.parameters[''optional_input'']}}"], "Else": ["no-opt"]}}'
                - '{"IfPresent": {"InputName": "text1", "Then": ["has-text"]}}'
                - "{{$.inputs.parameters['job']}}"
                - "{{$.inputs.parameters['resource']}}"
                - "{{$.inputs.parameters['task']}}"
                - "{{$.outputs.artifacts['out'].uri}}/0"
                - "$(echo not-a-shell); rm -rf /"
                - "{{$}}"
      """;

  @Test
  void placeholders_expand_to_argv_without_a_shell() throws Exception {
    RunRecord run = f.run(EngineFixture.yaml(SHOW));
    assertThat(run.state()).as(run.error()).isEqualTo("SUCCEEDED");
    TaskRecord t = f.task(run.id(), "show");
    List<String> args =
        Files.readAllLines(Path.of(t.logPath())).stream()
            .filter(l -> l.startsWith("arg="))
            .map(l -> l.substring(4))
            .toList();
    assertThat(args.get(0)).isEqualTo("prefix-abc-suffix");
    assertThat(args.get(1)).isEqualTo("no-opt");
    assertThat(args.get(2)).isEqualTo("has-text");
    assertThat(args.get(3)).isEqualTo(run.id());
    assertThat(args.get(4)).startsWith("placeholders-");
    assertThat(args.get(5)).isEqualTo("show");
    // a program sees a local artifact's URI as its plain path, as in KFP's local runner; the store
    // keeps the file URI
    assertThat(args.get(6)).startsWith("/").endsWith("/show/out/0");
    assertThat(f.store.artifacts().listByTask(t.id()))
        .singleElement()
        .satisfies(
            a ->
                assertThat(a.uri()).isEqualTo(Path.of(args.get(6)).getParent().toUri().toString()));
    assertThat(args.get(7)).isEqualTo("$(echo not-a-shell); rm -rf /");
    JsonNode executorInput = Json.parse(args.get(8));
    assertThat(executorInput.at("/inputs/parameterValues/text1").asText()).isEqualTo("abc");
    assertThat(executorInput.at("/outputs/artifacts/out/artifacts/0/type/schemaTitle").asText())
        .isEqualTo("system.Artifact");
    assertThat(executorInput.at("/outputs/outputFile").asText()).endsWith("executor_output.json");
  }

  @Test
  void if_present_takes_then_when_the_optional_input_is_given() throws Exception {
    String yaml =
        SHOW.replace(
            "            task: {runtimeValue: {constant: \"{{$.pipeline_task_name}}\"}}",
            "            task: {runtimeValue: {constant: \"{{$.pipeline_task_name}}\"}}\n"
                + "            optional_input: {runtimeValue: {constant: given}}");
    RunRecord run = f.run(EngineFixture.yaml(yaml));
    String log = Files.readString(Path.of(f.task(run.id(), "show").logPath()));
    assertThat(log).contains("arg=--opt\narg=given\n").doesNotContain("no-opt");
  }

  @Test
  void executor_output_file_wins_over_parameter_files_and_merges_artifact_metadata()
      throws Exception {
    String yaml =
        """
        pipelineInfo: {name: executor-output}
        schemaVersion: 2.1.0
        root:
          dag:
            tasks:
              train: {componentRef: {name: comp-train}, cachingOptions: {}}
        components:
          comp-train:
            executorLabel: exec-train
            outputDefinitions:
              parameters:
                score: {parameterType: NUMBER_DOUBLE}
                name: {parameterType: STRING}
                ok: {parameterType: BOOLEAN}
                tags: {parameterType: LIST}
              artifacts:
                metrics: {artifactType: {schemaTitle: system.Metrics, schemaVersion: 0.0.1}}
        deploymentSpec:
          executors:
            exec-train:
              container:
                image: alpine
                command:
                  - sh
                  - -c
                  - |
                    echo 0.1 > "$0"; printf 'model a' > "$1"; echo true > "$2"; echo '["x","y"]' > "$3"
                    echo '{"parameterValues": {"score": 0.93}, "artifacts": {"metrics": {"artifacts": [{"name": "metrics", "metadata": {"accuracy": 0.93}}]}}}' > "$4"
                  - "{{$.outputs.parameters['score'].output_file}}"
                  - "{{$.outputs.parameters['name'].output_file}}"
                  - "{{$.outputs.parameters['ok'].output_file}}"
                  - "{{$.outputs.parameters['tags'].output_file}}"
                  - "{{$.outputs.output_file}}"
        """;
    RunRecord run = f.run(EngineFixture.yaml(yaml));
    assertThat(run.state()).as(run.error()).isEqualTo("SUCCEEDED");
    JsonNode out = Json.parse(f.task(run.id(), "train").outputs());
    assertThat(out.at("/parameters/score").asDouble()).isEqualTo(0.93);
    assertThat(out.at("/parameters/name").asText()).isEqualTo("model a");
    assertThat(out.at("/parameters/ok").asBoolean()).isTrue();
    assertThat(out.at("/parameters/tags").toString()).isEqualTo("[\"x\",\"y\"]");
    assertThat(out.at("/artifacts/metrics/0/metadata/accuracy").asDouble()).isEqualTo(0.93);
    String artifactId = out.at("/artifacts/metrics/0/id").asText();
    assertThat(f.store.artifacts().get(artifactId))
        .get()
        .satisfies(a -> assertThat(a.metadata()).contains("0.93"));
  }

  @Test
  void a_missing_output_parameter_fails_the_task_naming_it() throws Exception {
    String yaml =
        """
        pipelineInfo: {name: missing-output}
        schemaVersion: 2.1.0
        root:
          dag:
            tasks:
              t: {componentRef: {name: comp-t}, cachingOptions: {}}
        components:
          comp-t:
            executorLabel: exec-t
            outputDefinitions: {parameters: {answer: {parameterType: NUMBER_INTEGER}}}
        deploymentSpec:
          executors:
            exec-t: {container: {image: alpine, command: ["true"]}}
        """;
    RunRecord run = f.run(EngineFixture.yaml(yaml));
    assertThat(run.state()).isEqualTo("FAILED");
    assertThat(f.task(run.id(), "t").error()).contains("output parameter 'answer' was not written");
  }
}
