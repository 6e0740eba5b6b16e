package dev.keel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kill -9} of {@code keel apply} mid-experiment, then the same command again. */
class ExperimentResumeIT {
  @TempDir Path data;

  @Test
  void a_killed_experiment_carries_on_without_losing_or_repeating_trials() throws Exception {
    Path journal = data.resolve("journal.txt");
    Path yaml = data.resolve("experiment.yaml");
    Files.writeString(
        yaml,
        """
        apiVersion: kubeflow.org/v1beta1
        kind: Experiment
        metadata: {name: resumable}
        spec:
          objective: {type: minimize, objectiveMetricName: loss}
          algorithm: {algorithmName: random, algorithmSettings: [{name: random_state, value: "5"}]}
          parallelTrialCount: 2
          maxTrialCount: 6
          parameters:
          - {name: x, parameterType: int, feasibleSpace: {min: "1", max: "1000000"}}
          trialTemplate:
            primaryContainerName: main
            trialParameters: [{name: x, reference: x}]
            trialSpec:
              apiVersion: batch/v1
              kind: Job
              spec:
                template:
                  spec:
                    containers:
                    - name: main
                      image: alpine
                      command: [sh, -c, 'echo start $0 >> "$1"; sleep 1; echo end $0 >> "$1"; echo loss=$0', '${trialParameters.x}', '%s']
        """
            .formatted(journal));
    Process keel =
        KeelProcess.start(data, data.resolve("first.out"), "apply", "-f", yaml.toString());
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      List<String> lines = Files.exists(journal) ? Files.readAllLines(journal) : List.of();
      long ends = lines.stream().filter(l -> l.startsWith("end")).count();
      long starts = lines.stream().filter(l -> l.startsWith("start")).count();
      if (ends >= 2 && starts > ends) {
        break;
      }
      Thread.sleep(20);
    }
    keel.destroyForcibly();
    assertThat(keel.waitFor(10, TimeUnit.SECONDS)).isTrue();
    // the trials the killed keel had recorded as finished
    var got = KeelProcess.run(data, "get", "trials", "-o", "json");
    JsonNode stored = Json.parse(got.out());
    List<String> recorded = new java.util.ArrayList<>();
    for (JsonNode t : stored.path("items")) {
      JsonNode conds = t.at("/status/conditions");
      if (conds.size() > 0
          && conds.get(conds.size() - 1).path("type").asText().equals("Succeeded")) {
        recorded.add(t.at("/spec/parameterAssignments/0/value").asText());
      }
    }
    assertThat(recorded).as(got.all()).hasSizeGreaterThanOrEqualTo(1);

    var resumed = KeelProcess.run(data, "apply", "-f", yaml.toString());
    assertThat(resumed.code()).as(resumed.all()).isZero();
    assertThat(resumed.out()).contains("resuming experiment resumable");

    JsonNode doc =
        Json.parse(KeelProcess.run(data, "get", "experiment", "resumable", "-o", "json").out());
    assertThat(doc.at("/status/trials").asInt()).isEqualTo(6);
    assertThat(doc.at("/status/trialsSucceeded").asInt()).isEqualTo(6);
    List<String> lines = Files.readAllLines(journal);
    Map<String, Long> endsPerValue =
        lines.stream()
            .filter(l -> l.startsWith("end"))
            .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    // six trials, each of them finished; a trial recorded as finished before the kill was not run
    // again (one in flight when keel died may have run twice: its result went with the process)
    assertThat(endsPerValue).hasSize(6);
    for (String value : recorded) {
      assertThat(lines.stream().filter(l -> l.equals("start " + value))).as(value).hasSize(1);
    }
  }
}
