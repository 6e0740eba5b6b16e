package dev.keel.pipelines.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
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
    assertThat(yaml).startsWith("# PIPELINE DEFINITION\n# Name: " + doc.name());
    assertThat(PipelineSpecReader.readText(yaml)).isEqualTo(doc);
  }

  @ParameterizedTest
  @MethodSource("files")
  void json_round_trip_gives_an_equal_spec(Path file) {
    PipelineDocument doc = PipelineSpecReader.read(file);
    assertThat(PipelineSpecReader.readText(PipelineSpecWriter.toJson(doc)).spec())
        .isEqualTo(doc.spec());
  }
}
