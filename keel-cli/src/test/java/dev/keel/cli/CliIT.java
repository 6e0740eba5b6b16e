package dev.keel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code keel} command as a user runs it: the real jar in its own process. */
class CliIT {
  @TempDir Path data;

  @Test
  void run_hello_world_succeeds_and_runs_list_shows_it_as_kfp_json() throws Exception {
    var r = KeelProcess.run(data, "run", KeelProcess.conformance("hello_world.yaml").toString());
    assertThat(r.code()).as(r.all()).isZero();
    assertThat(r.out()).contains("SUCCEEDED").contains("echo");

    var list = KeelProcess.run(data, "runs", "list", "-o", "json");
    assertThat(list.code()).as(list.all()).isZero();
    JsonNode json = Json.parse(list.out());
    assertThat(json.path("runs")).hasSize(1);
    JsonNode run = json.path("runs").get(0);
    assertThat(run.path("state").asText()).isEqualTo("SUCCEEDED");
    String runId = run.path("run_id").asText();

    var get = KeelProcess.run(data, "runs", "get", runId, "-o", "json");
    JsonNode full = Json.parse(get.out());
    assertThat(full.path("run_id").asText()).isEqualTo(runId);
    assertThat(full.at("/run_details/task_details/0/state").asText()).isEqualTo("SUCCEEDED");
    assertThat(full.at("/pipeline_spec/pipelineInfo/name").asText()).isEqualTo("echo");

    var logs = KeelProcess.run(data, "runs", "logs", runId);
    assertThat(logs.out()).contains("hello world");

    var table = KeelProcess.run(data, "runs", "get", runId);
    assertThat(table.out()).contains("state:      SUCCEEDED");
  }

  @Test
  void run_exits_non_zero_and_names_the_missing_program() throws Exception {
    var r =
        KeelProcess.run(
            data,
            "run",
            KeelProcess.conformance("container_with_concat_placeholder.yaml").toString(),
            "-p",
            "text1=hello");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).contains("FAILED").contains("program 'my_program' not found");
  }

  @Test
  void a_negative_parallelism_is_refused_naming_the_flag() throws Exception {
    var negative =
        KeelProcess.run(
            data,
            "run",
            KeelProcess.conformance("hello_world.yaml").toString(),
            "--parallelism",
            "-2");
    assertThat(negative.code()).as(negative.all()).isEqualTo(2);
    assertThat(negative.err()).contains("--parallelism: must be at least 1, was -2");
  }

  @Test
  void validate_lists_every_problem_with_its_path() throws Exception {
    Path bad = data.resolve("bad.yaml");
    Files.writeString(
        bad,
        """
        pipelineInfo: {name: bad}
        schemaVersion: 2.0.0
        colour: blue
        root:
          dag:
            tasks:
              a: {componentRef: {name: comp-nope}}
        """);
    var r = KeelProcess.run(null, "validate", bad.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains(bad + ": colour: unknown field 'colour'")
        .contains(bad + ": schemaVersion: '2.0.0' is not supported")
        .contains(bad + ": root.dag.tasks.a.componentRef.name: no component 'comp-nope'")
        .doesNotContain(bad + ": " + bad)
        .doesNotContain("Exception")
        .doesNotContain("\tat ");

    // a file that is not there, or not YAML: named once, with the place in it
    Path missing = data.resolve("missing.yaml");
    var gone = KeelProcess.run(null, "validate", missing.toString());
    assertThat(gone.code()).isEqualTo(2);
    assertThat(gone.err()).startsWith(missing + ": no such file\n");
    Path broken = data.resolve("broken.yaml");
    Files.writeString(broken, "pipelineInfo: {name: x\nschemaVersion: 2.1.0\n");
    for (String command : List.of("validate", "run")) {
      var r2 = KeelProcess.run(command.equals("run") ? data : null, command, broken.toString());
      assertThat(r2.code()).as(r2.all()).isEqualTo(2);
      assertThat(r2.err()).as(command).contains(broken + ": line 2, column 14: not valid YAML");
    }

    var ok =
        KeelProcess.run(
            null, "validate", KeelProcess.conformance("pipeline_with_loops.yaml").toString());
    assertThat(ok.code()).as(ok.all()).isZero();
  }

  @Test
  void secrets_created_on_the_command_line_reach_secret_as_env() throws Exception {
    String yaml = KeelProcess.conformance("pipeline_with_secret_as_env.yaml").toString();
    var failed = KeelProcess.run(data, "run", yaml);
    assertThat(failed.code()).isEqualTo(1);
    assertThat(failed.out()).contains("keel secrets create test-secret-1");
    assertThat(
            KeelProcess.run(
                    data, "secrets", "create", "test-secret-1", "--from-literal", "username=user1")
                .code())
        .isZero();
    assertThat(
            KeelProcess.run(
                    data, "secrets", "create", "test-secret-2", "--from-literal", "password=psw1")
                .code())
        .isZero();
    assertThat(
            KeelProcess.run(
                    data, "secrets", "create", "test-secret-3", "--from-literal", "password=psw2")
                .code())
        .isZero();
    assertThat(KeelProcess.run(data, "secrets", "list").out())
        .isEqualTo("test-secret-1\ntest-secret-2\ntest-secret-3\n");
    var ok = KeelProcess.run(data, "run", yaml);
    assertThat(ok.code()).as(ok.all()).isZero();
  }

  @Test
  void compile_writes_the_yaml_of_a_java_dsl_pipeline() throws Exception {
    var r = KeelProcess.run(null, "compile", "dev.keel.examples.digits.DigitsPipeline");
    assertThat(r.code()).as(r.all()).isZero();
    assertThat(r.out())
        .isEqualTo(Files.readString(KeelProcess.REPO.resolve("examples/digits/pipeline.yaml")));
    var missing = KeelProcess.run(null, "compile", "no.such.Pipeline");
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("no class 'no.such.Pipeline'");
  }

  @Test
  void bad_parameter_value_is_refused_with_a_clear_message() throws Exception {
    var r = KeelProcess.run(data, "run", "examples/digits/pipeline.yaml", "-p", "epochs=many");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("epochs").doesNotContain("\tat ");
    var unknown = KeelProcess.run(data, "run", "examples/digits/pipeline.yaml", "-p", "colour=red");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err()).contains("colour");
  }

  @Test
  void digits_example_trains_and_evaluates_offline() throws Exception {
    var r = KeelProcess.run(data, "run", "examples/digits/pipeline.yaml", "-p", "epochs=5");
    assertThat(r.code()).as(r.all()).isZero();
    assertThat(r.out()).contains("SUCCEEDED").contains("accuracy");
    var again = KeelProcess.run(data, "run", "examples/digits/pipeline.yaml", "-p", "epochs=5");
    assertThat(again.code()).as(again.all()).isZero();
    assertThat(again.out()).contains("CACHED");
  }
}
