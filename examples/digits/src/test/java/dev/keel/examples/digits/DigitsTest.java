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
  void split_is_stratified() throws Exception {
    loadAndSplit(5);
    int[] all = new int[10];
    int[] test = new int[10];
    Digits.read(dir.resolve("all.csv")).forEach(r -> all[r[Digits.PIXELS]]++);
    Digits.read(dir.resolve("test.csv")).forEach(r -> test[r[Digits.PIXELS]]++);
    for (int d = 0; d < 10; d++) {
      assertThat(test[d]).as("digit %d", d).isEqualTo((int) Math.round(all[d] * 0.2));
    }
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
    JsonNode trainOut = new ObjectMapper().readTree(dir.resolve("train-out.json").toFile());
    JsonNode modelMd = trainOut.at("/artifacts/model/artifacts/0/metadata");
    assertThat(modelMd.path("framework").asText()).isEqualTo("tribuo");
    assertThat(modelMd.path("format").asText()).isEqualTo("onnx");
    assertThat(modelMd.path("epochs").asInt()).isEqualTo(10);
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
    int testRows = Digits.read(dir.resolve("test.csv")).size();
    assertThat(total).isEqualTo(testRows);
    assertThat(executorOutput.at("/artifacts/metrics/artifacts/0/metadata/test_rows").asInt())
        .isEqualTo(testRows);
    // the artifact files hold the same metadata, for people
    ObjectMapper json = new ObjectMapper();
    assertThat(json.readTree(dir.resolve("metrics.json").toFile()))
        .isEqualTo(executorOutput.at("/artifacts/metrics/artifacts/0/metadata"));
    assertThat(json.readTree(dir.resolve("cm.json").toFile()))
        .isEqualTo(executorOutput.at("/artifacts/classification_metrics/artifacts/0/metadata"));

    // evaluate also takes the .onnx file itself: the labels travel in the model's metadata
    Path out2 = dir.resolve("eval-out-2.json");
    assertThat(
            run(
                "evaluate",
                "--test",
                dir.resolve("test.csv").toString(),
                "--model",
                model.resolve("model.onnx").toString(),
                "--metrics",
                dir.resolve("metrics2.json").toString(),
                "--classification-metrics",
                dir.resolve("cm2.json").toString(),
                "--executor-output",
                out2.toString()))
        .as(err.toString())
        .isZero();
    assertThat(json.readTree(out2.toFile())).isEqualTo(executorOutput);
  }

  @Test
  void onnx_predictions_agree_with_tribuo() throws Exception {
    loadAndSplit(3);
    List<int[]> train = Digits.read(dir.resolve("train.csv"));
    List<int[]> test = Digits.read(dir.resolve("test.csv"));
    LinearSGDModel model = Digits.fit(train, 5, 3);
    Path onnx = dir.resolve("m.onnx");
    List<String> labels = Digits.saveOnnx(model, onnx);
    assertThat(Digits.onnxLabels(onnx)).isEqualTo(labels).hasSize(10);
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
    err.reset();
    assertThat(run("load", "--datset", "x.csv")).isEqualTo(2);
    assertThat(err.toString()).contains("unknown option --datset for load");
    err.reset();
    assertThat(run("load", "--dataset")).isEqualTo(2);
    assertThat(err.toString()).contains("--dataset needs a value");
    err.reset();
    assertThat(run("load", "--dataset", "a", "--dataset", "b")).isEqualTo(2);
    assertThat(err.toString()).contains("--dataset is given twice");
    err.reset();
    assertThat(
            run(
                "split",
                "--dataset",
                "x",
                "--test-fraction",
                "1.5",
                "--seed",
                "1",
                "--train",
                "a",
                "--test",
                "b"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--test-fraction must be between 0 and 1");
  }

  @Test
  void unreadable_inputs_fail_with_one_line_and_no_stack_trace() throws Exception {
    loadAndSplit(1);
    String[] evaluate = {
      "evaluate",
      "--test",
      dir.resolve("test.csv").toString(),
      "--model",
      dir.resolve("no-model").toString(),
      "--metrics",
      dir.resolve("m.json").toString(),
      "--classification-metrics",
      dir.resolve("cm.json").toString()
    };
    assertThat(run(evaluate)).isNotZero();
    assertThat(err.toString()).contains("--model").contains("no-model");
    assertOneLine();

    Files.writeString(dir.resolve("garbage.onnx"), "not a model");
    evaluate[4] = dir.resolve("garbage.onnx").toString();
    assertThat(run(evaluate)).isNotZero();
    assertOneLine();

    Files.writeString(dir.resolve("bad.csv"), "a,b\n1,2\n");
    assertThat(
            run(
                "train",
                "--train",
                dir.resolve("bad.csv").toString(),
                "--epochs",
                "1",
                "--seed",
                "1",
                "--model",
                dir.resolve("m").toString()))
        .isNotZero();
    assertThat(err.toString()).contains("bad.csv").contains("not a digits CSV");
    assertOneLine();

    assertThat(
            run(
                "train",
                "--train",
                dir.resolve("missing.csv").toString(),
                "--epochs",
                "1",
                "--seed",
                "1",
                "--model",
                dir.resolve("m").toString()))
        .isNotZero();
    assertThat(err.toString()).contains("missing.csv");
    assertOneLine();
  }

  private void assertOneLine() {
    String message = err.toString(StandardCharsets.UTF_8);
    assertThat(message.strip()).startsWith("digits: ").doesNotContain("\n").doesNotContain("\tat ");
    err.reset();
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
