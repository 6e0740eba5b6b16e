package dev.keel.examples.digits;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.pipelines.spec.PipelineDocument;
import dev.keel.pipelines.spec.PipelineSpecReader;
import dev.keel.pipelines.spec.PipelineSpecWriter;
import dev.keel.pipelines.spec.PipelineValidator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.classification.sgd.linear.LinearSGDModel;

class DigitsTest {
  @TempDir Path dir;
  final ByteArrayOutputStream err = new ByteArrayOutputStream();

  int run(String... args) {
    return Digits.run(
        args,
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  void loadAndSplit(long seed) {
    assertThat(run("load", "--dataset", dir.resolve("all.csv").toString())).isZero();
    assertThat(
            run(
                "split",
                "--dataset",
                dir.resolve("all.csv").toString(),
                "--test-fraction",
                "0.2",
                "--seed",
                String.valueOf(seed),
                "--train",
                dir.resolve("train.csv").toString(),
                "--test",
                dir.resolve("test.csv").toString()))
        .isZero();
  }

  @Test
  void load_writes_all_1797_images() throws Exception {
    loadAndSplit(1);
    assertThat(Digits.read(dir.resolve("all.csv"))).hasSize(1797);
    assertThat(
            Digits.read(dir.resolve("train.csv")).size()
                + Digits.read(dir.resolve("test.csv")).size())
        .isEqualTo(1797);
  }

  @Test
  void same_seed_gives_the_same_split() throws Exception {
    loadAndSplit(7);
    String first = Files.readString(dir.resolve("test.csv"));
    loadAndSplit(7);
    assertThat(Files.readString(dir.resolve("test.csv"))).isEqualTo(first);
    loadAndSplit(8);
    assertThat(Files.readString(dir.resolve("test.csv"))).isNotEqualTo(first);
  }

  @Test
  void trains_exports_onnx_and_evaluates_above_90_percent() throws Exception {
    loadAndSplit(42);
    Path model = dir.resolve("model");
    assertThat(
            run(
                "train",
                "--train",
                dir.resolve("train.csv").toString(),
                "--epochs",
                "10",
                "--seed",
                "42",
                "--model",
                model.toString(),
                "--executor-output",
                dir.resolve("train-out.json").toString()))
        .as(err.toString())
        .isZero();
    assertThat(model.resolve("model.onnx")).isRegularFile();
    Path out = dir.resolve("eval-out.json");
    assertThat(
            run(
                "evaluate",
                "--test",
                dir.resolve("test.csv").toString(),
                "--model",
                model.toString(),
                "--metrics",
                dir.resolve("metrics.json").toString(),
                "--classification-metrics",
                dir.resolve("cm.json").toString(),
                "--executor-output",
                out.toString()))
        .as(err.toString())
        .isZero();
    JsonNode executorOutput = new ObjectMapper().readTree(out.toFile());
    double accuracy =
        executorOutput.at("/artifacts/metrics/artifacts/0/metadata/accuracy").asDouble();
    assertThat(accuracy).isGreaterThanOrEqualTo(0.9);
    JsonNode matrix =
        executorOutput.at("/artifacts/classification_metrics/artifacts/0/metadata/confusionMatrix");
    assertThat(matrix.path("annotationSpecs")).hasSize(10);
    assertThat(matrix.path("rows")).hasSize(10);
    int total = 0;
    for (JsonNode row : matrix.path("rows")) {
      assertThat(row.path("row")).hasSize(10);
      for (JsonNode v : row.path("row")) {
        total += v.asInt();
      }
    }
    assertThat(total).isEqualTo(Digits.read(dir.resolve("test.csv")).size());
  }

  @Test
  void onnx_predictions_agree_with_tribuo() throws Exception {
    loadAndSplit(3);
    List<int[]> train = Digits.read(dir.resolve("train.csv"));
    List<int[]> test = Digits.read(dir.resolve("test.csv"));
    LinearSGDModel model = Digits.fit(train, 5, 3);
    Path onnx = dir.resolve("m.onnx");
    model.saveONNXModel("test", 1, onnx);
    int[] fromOnnx = Digits.predictOnnx(onnx, test);
    int agree = 0;
    for (int i = 0; i < test.size(); i++) {
      String tribuo = model.predict(Digits.example(test.get(i))).getOutput().getLabel();
      String onnxLabel = model.getOutputIDInfo().getOutput(fromOnnx[i]).getLabel();
      if (tribuo.equals(onnxLabel)) {
        agree++;
      }
    }
    assertThat((double) agree / test.size()).isGreaterThanOrEqualTo(0.99);
  }

  @Test
  void bad_arguments_exit_non_zero_naming_the_argument() {
    assertThat(run("split", "--dataset", "/nope.csv")).isNotZero();
    assertThat(err.toString()).contains("--test-fraction");
    err.reset();
    assertThat(run("train", "--train", "x", "--epochs", "many")).isEqualTo(2);
    assertThat(err.toString()).contains("--epochs must be an integer");
    err.reset();
    assertThat(run("fly")).isEqualTo(2);
    assertThat(err.toString()).contains("unknown subcommand 'fly'");
  }

  @Test
  void pipeline_yaml_is_a_valid_kfp_pipeline_compiled_from_the_java_dsl() throws Exception {
    PipelineDocument doc = PipelineSpecReader.read(Path.of("pipeline.yaml"));
    assertThat(doc.name()).isEqualTo("digits");
    assertThat(PipelineValidator.validate(doc)).isEmpty();
    assertThat(doc).isEqualTo(new DigitsPipeline().pipeline());
    assertThat(Files.readString(Path.of("pipeline.yaml")))
        .isEqualTo(PipelineSpecWriter.toYaml(new DigitsPipeline().pipeline()));
  }
}
