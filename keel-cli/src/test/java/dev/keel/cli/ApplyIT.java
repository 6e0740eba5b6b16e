package dev.keel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keel apply -f} of a Katib Experiment, then {@code keel get}. */
class ApplyIT {
  @TempDir Path data;

  static final String EXPERIMENT =
      """
      apiVersion: kubeflow.org/v1beta1
      kind: Experiment
      metadata: {name: grid-lr, namespace: default}
      spec:
        objective: {type: maximize, objectiveMetricName: accuracy}
        algorithm: {algorithmName: grid}
        parallelTrialCount: 2
        maxTrialCount: 12
        parameters:
        - {name: lr, parameterType: double, feasibleSpace: {min: "0.01", max: "0.04", step: "0.01"}}
        trialTemplate:
          primaryContainerName: main
          trialParameters: [{name: lr, reference: lr}]
          trialSpec:
            apiVersion: batch/v1
            kind: Job
            spec:
              template:
                spec:
                  containers:
                  - name: main
                    image: python:3.11
                    command: [python3, -c, "import sys; print('accuracy=%f' % (1 - abs(float(sys.argv[1]) - 0.03)))", "${trialParameters.lr}"]
      """;

  @Test
  void an_experiment_runs_to_its_end_and_get_shows_it_as_katib_would() throws Exception {
    Path yaml = data.resolve("experiment.yaml");
    Files.writeString(yaml, EXPERIMENT);
    var applied = KeelProcess.run(data, "apply", "-f", yaml.toString());
    assertThat(applied.code()).as(applied.all()).isZero();
    assertThat(applied.out())
        .contains("experiment default/grid-lr: grid search, 2 trials at once")
        .contains("Succeeded")
        .contains("experiment grid-lr Succeeded (ExperimentSuggestionEndReached): 4 trials");

    var list = KeelProcess.run(data, "get", "experiments");
    assertThat(list.out()).contains("grid-lr").contains("Succeeded").contains("accuracy=1.0");
    var trials = KeelProcess.run(data, "get", "trials", "--experiment", "grid-lr");
    assertThat(trials.out().lines().filter(l -> l.contains("grid-lr-"))).hasSize(4);
    var suggestions = KeelProcess.run(data, "get", "suggestions");
    assertThat(suggestions.out()).containsPattern("grid-lr +grid +4");

    var json = KeelProcess.run(data, "get", "experiment", "grid-lr", "-o", "json");
    JsonNode doc = Json.parse(json.out());
    assertThat(doc.at("/status/currentOptimalTrial/parameterAssignments/0/value").asText())
        .isEqualTo("0.03");
    assertThat(doc.at("/status/trialsSucceeded").asInt()).isEqualTo(4);

    var described = KeelProcess.run(data, "describe", "experiment", "grid-lr");
    assertThat(described.code()).as(described.all()).isZero();
    assertThat(described.out())
        .contains("Objective:    maximize accuracy")
        .contains("Algorithm:    grid")
        .contains("lr (double): [0.01, 0.04] step 0.01")
        .contains("Best trial:")
        .contains("lr=0.03")
        .contains("ExperimentSuggestionEndReached")
        .contains("4 trials, 4 succeeded");
    assertThat(
            described.out().lines().filter(l -> l.contains("grid-lr-") && l.contains("Succeeded")))
        .hasSize(4);

    var again = KeelProcess.run(data, "apply", "-f", yaml.toString());
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.err()).contains("exists already");

    Path bad = data.resolve("bad.yaml");
    Files.writeString(bad, EXPERIMENT.replace("algorithmName: grid", "algorithmName: pbt"));
    var refused = KeelProcess.run(data, "apply", "-f", bad.toString());
    assertThat(refused.code()).isEqualTo(2);
    assertThat(refused.err())
        .contains("spec.algorithm.algorithmName: 'pbt' is not supported by Keel yet");
  }
}
