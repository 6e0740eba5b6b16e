package dev.keel.pipelines.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every pipeline KFP's own compiler wrote reads without a problem. */
class ConformanceReadTest {
  static Path kfpIr() {
    return Path.of(System.getProperty("keel.shared", "../../shared"), "conformance", "kfp-ir");
  }

  static Stream<Path> files() throws IOException {
    try (Stream<Path> s = Files.list(kfpIr())) {
      return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("files")
  void reads_kfp_compiled_pipeline(Path file) {
    PipelineDocument doc = PipelineSpecReader.read(file);
    assertThat(doc.spec().schemaVersion()).isEqualTo("2.1.0");
    assertThat(doc.spec().root().dag().tasks()).isNotEmpty();
  }
}
