package dev.keel.pipelines.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keel.core.Problem;
import dev.keel.core.ValidationException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a pipeline file: every problem names the file once, then the place inside it. */
class PipelineSpecReaderTest {
  @TempDir Path dir;

  @Test
  void a_missing_file_is_named_once() {
    Path missing = dir.resolve("missing.yaml");
    ValidationException e =
        catchThrowableOfType(ValidationException.class, () -> PipelineSpecReader.read(missing));
    assertThat(e.problems()).containsExactly(new Problem(missing.toString(), "no such file"));
  }

  @Test
  void a_syntax_error_names_the_file_then_the_line() throws Exception {
    Path broken = dir.resolve("broken.yaml");
    Files.writeString(broken, "pipelineInfo: {name: x\nschemaVersion: 2.1.0\n");
    ValidationException e =
        catchThrowableOfType(ValidationException.class, () -> PipelineSpecReader.read(broken));
    assertThat(e.problems()).hasSize(1);
    assertThat(e.problems().get(0).path()).isEqualTo(broken + ": line 2, column 14");
    assertThat(e.problems().get(0).reason())
        .isEqualTo(
            "not valid YAML or JSON: expected ',' or '}', but got :"
                + " (while parsing a flow mapping from line 1, column 15)");
  }

  @Test
  void unknown_fields_name_the_file_and_keep_the_pipeline_read_without_them() throws Exception {
    Path file = dir.resolve("colour.yaml");
    Files.writeString(
        file,
        """
        pipelineInfo: {name: colour}
        schemaVersion: 2.1.0
        colour: blue
        root: {dag: {tasks: {}}}
        """);
    PipelineReadException e =
        catchThrowableOfType(PipelineReadException.class, () -> PipelineSpecReader.read(file));
    assertThat(e.problems())
        .containsExactly(new Problem(file + ": colour", "unknown field 'colour'"));
    assertThat(e.partial()).isNotNull();
    assertThat(e.partial().name()).isEqualTo("colour");
  }
}
