package dev.keel.pipelines;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.Json;
import dev.keel.pipelines.spec.PipelineSpecReader;
import dev.keel.store.RunRecord;
import dev.keel.store.TaskRecord;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * KFP's own container-only pipelines run to the outcome a KFP user expects on a laptop: the ones
 * whose programs exist here succeed; the ones that need their authors' images fail at that task,
 * naming what is missing.
 */
class ConformanceRunTest {
  @TempDir Path dir;
  EngineFixture f;

  @BeforeEach
  void setUp() {
    f = new EngineFixture(dir);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "hello_world.yaml                           | SUCCEEDED |               | {}",
        "container_component_with_no_inputs.yaml    | SUCCEEDED |               | {}",
        "pipeline_with_after.yaml                   | SUCCEEDED |               | {}",
        "container_with_concat_placeholder.yaml     | FAILED    | my_program    | {'text1': 'a'}",
        "container_with_if_placeholder.yaml         | FAILED    | my_program    | {}",
        "container_with_placeholder_in_fstring.yaml | FAILED    | my_program    | {'text1': 'a'}",
        "container_with_artifact_output.yaml        | FAILED    | run.sh        | {'num_epochs': 3}",
        "two_step_pipeline.yaml                     | FAILED    | gsutil        | {}",
        "pipeline_with_various_io_types.yaml        | FAILED    | gcr.io/image  | {'input1': 'a'}",
        "pipeline_with_resource_spec.yaml           | FAILED    | my-ingestor   | {}",
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
      assertThat(f.tasks(run.id()))
          .filteredOn(t -> t.state().equals("FAILED"))
          .extracting(TaskRecord::error)
          .anyMatch(e -> e.contains(expected));
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
