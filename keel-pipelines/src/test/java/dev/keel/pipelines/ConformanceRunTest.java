package dev.keel.pipelines;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.Json;
import dev.keel.pipelines.spec.PipelineSpecReader;
import dev.keel.store.RunRecord;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * KFP's own container-only pipelines run to the outcome a KFP user expects on a laptop: the ones
 * whose programs exist here succeed; the ones that need their authors' images fail at that task,
 * naming what is missing.
 */
class ConformanceRunTest extends EngineTests {
  /**
   * Every pipeline in KFP's conformance folder: the expected outcome on a laptop, and for a failure
   * the words that must name its cause. docs/conformance.md explains each failure.
   */
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "add_numbers.yaml | SUCCEEDED |  | {'a': 1, 'b': 2}",
        "artifacts_complex.yaml | SUCCEEDED |  | {}",
        "artifacts_simple.yaml | SUCCEEDED |  | {}",
        "collected_artifacts.yaml | SUCCEEDED |  | {}",
        "collected_parameters.yaml | SUCCEEDED |  | {}",
        "container_component_with_no_inputs.yaml | SUCCEEDED |  | {}",
        "container_with_artifact_output.yaml | FAILED | run.sh | {'num_epochs': 3}",
        "container_with_concat_placeholder.yaml | FAILED | program 'my_program' not found | {'text1': 'a'}",
        "container_with_if_placeholder.yaml | FAILED | program 'my_program' not found | {}",
        "container_with_placeholder_in_fstring.yaml | FAILED | program 'my_program' not found | {}",
        "fail_v2.yaml | FAILED | task fail: exit code 1 | {}",
        "flip_coin.yaml | SUCCEEDED |  | {}",
        "hello_world.yaml | SUCCEEDED |  | {}",
        "if_elif_else_complex.yaml | SUCCEEDED |  | {}",
        "if_elif_else_with_oneof_parameters.yaml | SUCCEEDED |  | {}",
        "if_else_with_oneof_artifacts.yaml | SUCCEEDED |  | {}",
        "lightweight_python_functions_pipeline.yaml | SUCCEEDED |  | {'message': 'hi'}",
        "lightweight_python_functions_with_outputs.yaml | SUCCEEDED |  | {'first_message': 'a', 'first_number': 1, 'second_message': 'b', 'second_number': 2}",
        "metrics_visualization_v2.yaml | SUCCEEDED |  | {}",
        "parameter_cache.yaml | SUCCEEDED |  | {}",
        "parameters_complex.yaml | SUCCEEDED |  | {}",
        "pipeline_as_exit_task.yaml | FAILED | Task failed | {}",
        "pipeline_in_pipeline.yaml | SUCCEEDED |  | {}",
        "pipeline_in_pipeline_complex.yaml | SUCCEEDED |  | {}",
        "pipeline_with_after.yaml | SUCCEEDED |  | {}",
        "pipeline_with_condition.yaml | SUCCEEDED |  | {}",
        "pipeline_with_dynamic_importer_metadata.yaml | SUCCEEDED |  | {}",
        "pipeline_with_env.yaml | SUCCEEDED |  | {}",
        "pipeline_with_exit_handler.yaml | FAILED | Task failed | {}",
        "pipeline_with_importer.yaml | FAILED | /gcs/ml-pipeline-playground | {}",
        "pipeline_with_loops.yaml | SUCCEEDED |  | {}",
        "pipeline_with_loops_and_conditions.yaml | SUCCEEDED |  | {}",
        "pipeline_with_metrics_outputs.yaml | SUCCEEDED |  | {}",
        "pipeline_with_multiple_exit_handlers.yaml | FAILED | Task failed | {}",
        "pipeline_with_nested_conditions.yaml | SUCCEEDED |  | {}",
        "pipeline_with_nested_loops.yaml | SUCCEEDED |  | {}",
        "pipeline_with_outputs.yaml | SUCCEEDED |  | {}",
        "pipeline_with_parallelfor_list_artifacts_GH-12033.yaml | SUCCEEDED |  | {}",
        "pipeline_with_parallelfor_parallelism.yaml | SUCCEEDED |  | {'loop_parameter': ['a', 'b']}",
        "pipeline_with_parallelfor_pipeline_param.yaml | SUCCEEDED |  | {'loop_parameter': ['a', 'b'], 'prefix': 'p'}",
        "pipeline_with_placeholders.yaml | SUCCEEDED |  | {}",
        "pipeline_with_resource_spec.yaml | FAILED | gcr.io/my-project/my-ingestor | {}",
        "pipeline_with_retry.yaml | SUCCEEDED |  | {}",
        "pipeline_with_secret_as_env.yaml | FAILED | secret 'test-secret-1' not found | {}",
        "pipeline_with_string_machine_fields_pipeline_input.yaml | SUCCEEDED |  | {}",
        "pipeline_with_task_final_status.yaml | FAILED | Task failed | {}",
        "pipeline_with_task_using_ignore_upstream_failure.yaml | FAILED | task fail-op | {}",
        "pipeline_with_various_io_types.yaml | FAILED | gcr.io/image | {'input1': 'x'}",
        "pipeline_with_volume.yaml | FAILED | /data/file.txt | {}",
        "two_step_pipeline.yaml | FAILED | gsutil | {}"
      })
  void runs_to_the_expected_outcome(String file, String state, String missing, String params)
      throws Exception {
    Map<String, JsonNode> values = new LinkedHashMap<>();
    Json.parse(params.replace('\'', '"'))
        .fields()
        .forEachRemaining(e -> values.put(e.getKey(), e.getValue()));
    RunRecord run = f.run(PipelineSpecReader.read(EngineFixture.conformance(file)), values);
    assertThat(run.state()).as("%s: %s", file, run.error()).isEqualTo(state);
    if (missing != null) {
      // where Google's gsutil is installed, it runs and refuses Keel's local file:// artifact URIs
      String expected = missing.equals("gsutil") && onPath("gsutil") ? "file://" : missing;
      assertThat(run.error()).contains(expected);
    }
  }

  private static boolean onPath(String program) {
    for (String dir : System.getenv("PATH").split(":")) {
      if (java.nio.file.Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }
}
