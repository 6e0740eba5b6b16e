package dev.keel.katib;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.Problem;
import dev.keel.core.ValidationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ExperimentTest {
  static Path katib(String file) {
    return Path.of(System.getProperty("keel.shared", "../../shared"), "conformance", "katib", file);
  }

  static List<String> paths(String yaml) {
    try {
      Experiment.readYaml(yaml);
      return List.of();
    } catch (ValidationException e) {
      return e.problems().stream().map(Problem::path).toList();
    }
  }

  @Test
  void katibs_random_example_reads_with_the_webhook_defaults() throws Exception {
    Experiment e = Experiment.readYaml(Files.readString(katib("hp-tuning/random.yaml")));
    assertThat(e.name()).isEqualTo("random");
    assertThat(e.namespace()).isEqualTo("kubeflow");
    assertThat(e.objective().type()).isEqualTo("minimize");
    assertThat(e.objective().goal()).isEqualTo(0.001);
    assertThat(e.objective().strategies()).isEqualTo(Map.of("loss", "min"));
    assertThat(e.parallelTrialCount()).isEqualTo(3);
    assertThat(e.maxTrialCount()).isEqualTo(12);
    assertThat(e.parameters())
        .extracting(Experiment.Parameter::name)
        .containsExactly("lr", "momentum");
    assertThat(e.trialTemplate().trialParameters()).containsEntry("learningRate", "lr");
    assertThat(e.collectorKind()).isEqualTo("StdOut");
    assertThat(e.metricsFormat().get(0).pattern()).isEqualTo(Experiment.DEFAULT_FILTER);
    assertThat(e.document().at("/spec/objective/metricStrategies/0/value").asText())
        .isEqualTo("min");
  }

  @Test
  void every_katib_example_reads_or_is_refused_naming_what_keel_lacks() throws Exception {
    Path root = katib("");
    List<Path> files;
    try (Stream<Path> s = Files.walk(root)) {
      files =
          s.filter(p -> p.toString().endsWith(".yaml") && !p.toString().contains("supporting"))
              .sorted()
              .toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(30);
    int read = 0;
    for (Path f : files) {
      List<String> problems = paths(Files.readString(f));
      if (problems.isEmpty()) {
        read++;
      } else {
        // what is refused is refused by field, never by a crash
        assertThat(problems).as(f.toString()).allSatisfy(p -> assertThat(p).startsWith("spec."));
      }
    }
    assertThat(read).as("examples Keel reads").isGreaterThanOrEqualTo(5);
    for (String algorithm :
        List.of("sobol", "cma-es", "hyperband", "multivariate-tpe", "bayesian-optimization")) {
      assertThat(paths(Files.readString(katib("hp-tuning/" + algorithm + ".yaml"))))
          .as(algorithm)
          .isEmpty();
    }
    Experiment file =
        Experiment.readYaml(
            Files.readString(katib("metrics-collector/file-metrics-collector.yaml")));
    assertThat(file.collectorKind()).isEqualTo("File");
    assertThat(file.metricsPath()).isEqualTo("/katib/mnist.log");
    assertThat(file.metricsFileFormat()).isEqualTo("TEXT");
    assertThat(
            Metrics.parse(
                List.of(
                    "{metricName: accuracy, metricValue: 0.9134}",
                    "{metricName: loss, metricValue: 0.2}"),
                List.of("accuracy", "loss"),
                file.metricsFormat()))
        .extracting(Metrics.Point::name, Metrics.Point::value)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("accuracy", "0.9134"),
            org.assertj.core.groups.Tuple.tuple("loss", "0.2"));
    assertThat(Experiment.goRegex("a{2,3}[{}]\\{x}")).isEqualTo("a{2,3}[{}]\\{x\\}");
    Experiment json =
        Experiment.readYaml(
            Files.readString(
                katib("metrics-collector/file-metrics-collector-with-json-format.yaml")));
    assertThat(json.metricsFileFormat()).isEqualTo("JSON");
    Experiment median =
        Experiment.readYaml(Files.readString(katib("early-stopping/median-stop.yaml")));
    assertThat(median.earlyStopping()).isEqualTo(new Experiment.MedianStop(1, 2));
    assertThat(paths(Files.readString(katib("nas/enas-cpu.yaml")))).contains("spec.nasConfig");
  }

  @Test
  void bad_experiments_name_every_problem() {
    String yaml =
        """
        apiVersion: kubeflow.org/v1beta1
        kind: Experiment
        metadata: {name: Bad_Name}
        spec:
          objective: {type: minimise, objectiveMetricName: loss, additionalMetricNames: [loss]}
          algorithm: {algorithmName: random, algorithmSettings: [{name: colour, value: blue}]}
          parallelTrialCount: 5
          maxTrialCount: 2
          colour: blue
          parameters:
          - {name: lr, parameterType: double, feasibleSpace: {min: "0.5", max: "0.1"}}
          - {name: opt, parameterType: categorical, feasibleSpace: {min: "1"}}
          trialTemplate:
            primaryContainerName: main
            trialParameters: [{name: rate, reference: learning_rate}]
            trialSpec: {apiVersion: batch/v1, kind: Job, spec: {x: "${trialParameters.rate} ${trialParameters.other}"}}
        """;
    assertThat(paths(yaml))
        .contains(
            "metadata.name",
            "spec.objective.type",
            "spec.objective.additionalMetricNames",
            "spec.algorithm.algorithmSettings.colour",
            "spec.parallelTrialCount",
            "spec.colour",
            "spec.parameters[0].feasibleSpace.min",
            "spec.parameters[1].feasibleSpace.list",
            "spec.trialTemplate.trialParameters[0].reference",
            "spec.trialTemplate.trialSpec");
    assertThatThrownBy(() -> Experiment.readYaml("spec: [unclosed"))
        .isInstanceOf(ValidationException.class);
  }

  static String withCollector(String collector, String algorithm) {
    return """
        apiVersion: kubeflow.org/v1beta1
        kind: Experiment
        metadata: {name: c}
        spec:
          objective: {type: minimize, objectiveMetricName: loss}
          algorithm: %s
          metricsCollectorSpec: %s
          parameters:
          - {name: lr, parameterType: double, feasibleSpace: {min: "0.1", max: "0.5"}}
          - {name: epochs, parameterType: int, feasibleSpace: {min: "1", max: "9"}}
          trialTemplate:
            primaryContainerName: main
            trialParameters: [{name: lr, reference: lr}, {name: epochs, reference: epochs}]
            trialSpec: {apiVersion: batch/v1, kind: Job, spec: {x: "${trialParameters.lr} ${trialParameters.epochs}"}}
        """
        .formatted(algorithm, collector);
  }

  @Test
  void collectors_are_checked_as_katibs_webhook_checks_them() throws Exception {
    String random = "{algorithmName: random}";
    assertThat(paths(withCollector("{collector: {kind: Push}}", random))).isEmpty();
    assertThat(
            Experiment.readYaml(withCollector("{collector: {kind: None}}", random)).collectorKind())
        .isEqualTo("Push");
    Experiment tf =
        Experiment.readYaml(withCollector("{collector: {kind: TensorFlowEvent}}", random));
    assertThat(tf.metricsPath()).isEqualTo("/var/log/katib/tfevent/");
    assertThat(
            paths(
                withCollector(
                    "{collector: {kind: File}, source: {fileSystemPath: {path: rel/m.log, kind: Directory,"
                        + " format: YAML}}}",
                    random)))
        .containsExactlyInAnyOrder(
            "spec.metricsCollectorSpec.source.fileSystemPath.path",
            "spec.metricsCollectorSpec.source.fileSystemPath.kind",
            "spec.metricsCollectorSpec.source.fileSystemPath.format");
    assertThat(
            paths(
                withCollector(
                    "{collector: {kind: File}, source: {fileSystemPath: {path: /a/../../etc/m.json,"
                        + " format: JSON}, filter: {metricsFormat: [\"(a)=(b)\"]}}}",
                    random)))
        .containsExactlyInAnyOrder(
            "spec.metricsCollectorSpec.source.fileSystemPath.path",
            "spec.metricsCollectorSpec.source.filter");
    assertThat(paths(withCollector("{collector: {kind: PrometheusMetric}}", random)))
        .containsExactly("spec.metricsCollectorSpec.collector.kind");
    assertThat(
            paths(
                withCollector(
                    "{collector: {kind: StdOut}, source: {fileSystemPath: {path: /x}}}", random)))
        .containsExactly("spec.metricsCollectorSpec.source.fileSystemPath");
  }

  @Test
  void algorithm_settings_are_checked_as_katibs_services_check_them() {
    String stdout = "{collector: {kind: StdOut}}";
    assertThat(
            paths(
                withCollector(
                    stdout,
                    "{algorithmName: hyperband, algorithmSettings: [{name: resource_name, value:"
                        + " epochs}, {name: r_l, value: \"9\"}, {name: eta, value: \"3\"}]}")))
        .containsExactly("spec.parallelTrialCount"); // 3 at once is fewer than the 9 of a rung
    assertThat(
            paths(
                withCollector(
                    stdout,
                    "{algorithmName: hyperband, algorithmSettings: [{name: resource_name, value:"
                        + " batch}]}")))
        .contains(
            "spec.algorithm.algorithmSettings.resource_name",
            "spec.algorithm.algorithmSettings.r_l");
    assertThat(
            paths(
                withCollector(
                    stdout,
                    "{algorithmName: cmaes, algorithmSettings: [{name: restart_strategy, value:"
                        + " sometimes}]}")))
        .containsExactly("spec.algorithm.algorithmSettings.restart_strategy");
    assertThat(
            paths(
                withCollector(
                    stdout,
                    "{algorithmName: tpe, algorithmSettings: [{name: gamma, value: \"2\"}]}")))
        .containsExactly("spec.algorithm.algorithmSettings.gamma");
  }

  @Test
  void trial_parameters_are_substituted_as_katib_does() throws Exception {
    Experiment e =
        Experiment.readYaml(
            Files.readString(katib("trial-template/trial-metadata-substitution.yaml")));
    var job =
        TrialTemplates.render(
            e.trialTemplate(), Map.of("lr", "0.02", "momentum", "0.7"), "trial-1", "team-a");
    String text = job.toString();
    assertThat(text)
        .contains("0.02")
        .contains("trial-1")
        .contains("team-a")
        .doesNotContain("${trialParameters.");
    assertThat(job.at("/metadata/name").asText()).isEqualTo("trial-1");
  }
}
