package dev.keel.examples.digits;

import static dev.keel.sdk.Placeholders.executorOutputFile;
import static dev.keel.sdk.Placeholders.inputPath;
import static dev.keel.sdk.Placeholders.inputValue;
import static dev.keel.sdk.Placeholders.outputPath;

import dev.keel.pipelines.spec.ParameterType;
import dev.keel.pipelines.spec.PipelineDocument;
import dev.keel.sdk.ArtifactTypes;
import dev.keel.sdk.ContainerComponent;
import dev.keel.sdk.Pipeline;
import dev.keel.sdk.PipelineDefinition;
import dev.keel.sdk.Task;

/**
 * The digits pipeline written with Keel's Java DSL; {@code examples/digits/pipeline.yaml} is its
 * compiled form ({@code keel compile dev.keel.examples.digits.DigitsPipeline}).
 */
public final class DigitsPipeline implements PipelineDefinition {
  private static final String IMAGE = "keel/java:17";
  private static final String MAIN = Digits.class.getName();

  @Override
  public PipelineDocument pipeline() {
    ContainerComponent load =
        ContainerComponent.named("load")
            .image(IMAGE)
            .outputArtifact("dataset", ArtifactTypes.DATASET)
            .command("java")
            .args(MAIN, "load", "--dataset", outputPath("dataset"));
    ContainerComponent split =
        ContainerComponent.named("split")
            .image(IMAGE)
            .inputArtifact("dataset", ArtifactTypes.DATASET)
            .input("test_fraction", ParameterType.NUMBER_DOUBLE)
            .input("seed", ParameterType.NUMBER_INTEGER)
            .outputArtifact("train", ArtifactTypes.DATASET)
            .outputArtifact("test", ArtifactTypes.DATASET)
            .command("java")
            .args(
                MAIN,
                "split",
                "--dataset",
                inputPath("dataset"),
                "--test-fraction",
                inputValue("test_fraction"),
                "--seed",
                inputValue("seed"),
                "--train",
                outputPath("train"),
                "--test",
                outputPath("test"));
    ContainerComponent train =
        ContainerComponent.named("train")
            .image(IMAGE)
            .inputArtifact("train", ArtifactTypes.DATASET)
            .input("epochs", ParameterType.NUMBER_INTEGER)
            .input("seed", ParameterType.NUMBER_INTEGER)
            .outputArtifact("model", ArtifactTypes.MODEL)
            .command("java")
            .args(
                MAIN,
                "train",
                "--train",
                inputPath("train"),
                "--epochs",
                inputValue("epochs"),
                "--seed",
                inputValue("seed"),
                "--model",
                outputPath("model"),
                "--executor-output",
                executorOutputFile())
            .cpuRequest("1")
            .memoryRequest("512Mi");
    ContainerComponent evaluate =
        ContainerComponent.named("evaluate")
            .image(IMAGE)
            .inputArtifact("test", ArtifactTypes.DATASET)
            .inputArtifact("model", ArtifactTypes.MODEL)
            .outputArtifact("metrics", ArtifactTypes.METRICS)
            .outputArtifact("classification_metrics", ArtifactTypes.CLASSIFICATION_METRICS)
            .command("java")
            .args(
                MAIN,
                "evaluate",
                "--test",
                inputPath("test"),
                "--model",
                inputPath("model"),
                "--metrics",
                outputPath("metrics"),
                "--classification-metrics",
                outputPath("classification_metrics"),
                "--executor-output",
                executorOutputFile());

    Pipeline p =
        Pipeline.named("digits")
            .description(
                "Handwritten digits (UCI optdigits): load, split, train a Tribuo classifier,"
                    + " export it to ONNX, evaluate.")
            .parameter("test_fraction", ParameterType.NUMBER_DOUBLE, 0.2)
            .parameter("epochs", ParameterType.NUMBER_INTEGER, 10)
            .parameter("seed", ParameterType.NUMBER_INTEGER, 42);
    Task loadTask = p.task("load", load);
    Task splitTask =
        p.task("split", split)
            .with("dataset", loadTask.output("dataset"))
            .with("test_fraction", p.parameter("test_fraction"))
            .with("seed", p.parameter("seed"));
    Task trainTask =
        p.task("train", train)
            .with("train", splitTask.output("train"))
            .with("epochs", p.parameter("epochs"))
            .with("seed", p.parameter("seed"));
    Task evaluateTask =
        p.task("evaluate", evaluate)
            .with("test", splitTask.output("test"))
            .with("model", trainTask.output("model"));
    p.output("metrics", evaluateTask.output("metrics"));
    p.output("classification_metrics", evaluateTask.output("classification_metrics"));
    p.output("model", trainTask.output("model"));
    return p.build();
  }
}
