package dev.keel.katib;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.Json;
import dev.keel.runtime.LocalRuntime;
import dev.keel.store.ResourceRecord;
import dev.keel.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Experiments whose trials are real Python processes, run to the end on this machine. */
class ExperimentControllerTest {
  @TempDir Path dir;
  Store store;
  LocalRuntime runtime;
  ExperimentController controller;
  final List<String> events = new CopyOnWriteArrayList<>();

  @BeforeEach
  void open() {
    store = Store.sqlite(dir.resolve("keel.db"));
    runtime = LocalRuntime.builder().parallelism(2).build();
    controller =
        controller(
            new ExperimentController.Progress() {
              @Override
              public void trialEnded(
                  String trial, String condition, String objective, String best) {
                events.add(trial + " " + condition + " " + objective);
              }
            });
  }

  /** A controller on this test's store, runtime and folder that tells {@code progress}. */
  ExperimentController controller(ExperimentController.Progress progress) {
    return new ExperimentController(store, runtime, dir, Clock.systemUTC(), progress);
  }

  @AfterEach
  void close() {
    runtime.close();
    store.close();
  }

  /** A Katib Experiment whose Job trial prints {@code loss=(lr-0.03)^2} with python3. */
  static String experiment(String name, String algorithm, String extraSpec, String program) {
    return """
        apiVersion: kubeflow.org/v1beta1
        kind: Experiment
        metadata: {name: %s, namespace: team-a}
        spec:
          objective: {type: minimize, objectiveMetricName: loss, additionalMetricNames: [accuracy]}
          algorithm: {algorithmName: %s, algorithmSettings: [{name: random_state, value: "3"}]}
          parallelTrialCount: 2
          %s
          parameters:
          - {name: lr, parameterType: double, feasibleSpace: {min: "0.01", max: "0.05", step: "0.01"}}
          trialTemplate:
            primaryContainerName: training-container
            trialParameters: [{name: learningRate, reference: lr}]
            trialSpec:
              apiVersion: batch/v1
              kind: Job
              spec:
                template:
                  spec:
                    containers:
                    - name: training-container
                      image: python:3.11
                      command: [python3, -c, "%s", "--lr=${trialParameters.learningRate}"]
                    restartPolicy: Never
        """
        .formatted(name, algorithm, extraSpec, program);
  }

  static final String TRAIN =
      "import sys; lr=float(sys.argv[1].split('=')[1]); print('epoch 1 loss=%f accuracy=0.5' % ((lr-0.03)**2 + 0.01)); print('epoch 2 loss=%f accuracy=0.9' % ((lr-0.03)**2))";

  @Test
  void a_grid_experiment_runs_every_point_and_ends_when_the_grid_is_done() throws Exception {
    ObjectNode done =
        controller.run(
            Experiment.readYaml(experiment("grid-lr", "grid", "maxTrialCount: 10", TRAIN)));
    JsonNode status = done.path("status");
    assertThat(status.at("/conditions/2/type").asText()).isEqualTo("Succeeded");
    assertThat(status.at("/conditions/2/reason").asText())
        .isEqualTo("ExperimentSuggestionEndReached");
    assertThat(status.path("trials").asInt())
        .isEqualTo(5); // 0.01 .. 0.05, fewer than maxTrialCount
    assertThat(status.path("trialsSucceeded").asInt()).isEqualTo(5);
    JsonNode best = status.path("currentOptimalTrial");
    assertThat(best.at("/parameterAssignments/0/value").asText()).isEqualTo("0.03");
    assertThat(best.at("/observation/metrics/0/name").asText()).isEqualTo("loss");
    assertThat(best.at("/observation/metrics/0/min").asText()).isEqualTo("0.0");
    assertThat(best.at("/observation/metrics/1/latest").asText()).isEqualTo("0.9");

    List<ResourceRecord> trials = store.resources().list("Trial", "team-a");
    assertThat(trials).hasSize(5);
    JsonNode suggestion =
        Json.parse(
            store.resources().get("Suggestion", "team-a", "grid-lr").orElseThrow().document());
    assertThat(suggestion.at("/spec/algorithm/algorithmName").asText()).isEqualTo("grid");
    assertThat(suggestion.at("/status/suggestionCount").asInt()).isEqualTo(5);
    assertThat(suggestion.at("/status/suggestions/0/parameterAssignments/0/name").asText())
        .isEqualTo("lr");
    assertThat(suggestion.at("/status/conditions/0/type").asText()).isEqualTo("Succeeded");
    JsonNode trial = Json.parse(trials.get(0).document());
    assertThat(trial.at("/metadata/labels/katib.kubeflow.org~1experiment").asText())
        .isEqualTo("grid-lr");
    assertThat(trial.at("/status/conditions/1/type").asText()).isEqualTo("Succeeded");
    assertThat(
            Json.parse(
                    store
                        .resources()
                        .get("Experiment", "team-a", "grid-lr")
                        .orElseThrow()
                        .document())
                .at("/status/completionTime")
                .asText())
        .isNotEmpty();
  }

  @Test
  void reaching_the_goal_ends_the_experiment() throws Exception {
    String yaml =
        experiment("goal-lr", "random", "maxTrialCount: 30", TRAIN)
            .replace("objectiveMetricName: loss,", "goal: 0.00001, objectiveMetricName: loss,");
    ObjectNode done = controller.run(Experiment.readYaml(yaml));
    assertThat(done.at("/status/conditions/2/reason").asText()).isEqualTo("ExperimentGoalReached");
    assertThat(done.at("/status/currentOptimalTrial/parameterAssignments/0/value").asText())
        .isEqualTo("0.03");
    assertThat(done.at("/status/trials").asInt()).isLessThan(30);
  }

  @Test
  void failing_trials_fail_the_experiment_at_max_failed_trial_count() throws Exception {
    String yaml =
        experiment(
            "crashing",
            "random",
            "maxTrialCount: 5\n  maxFailedTrialCount: 2",
            "import sys; sys.exit('boom: out of memory')");
    ObjectNode done = controller.run(Experiment.readYaml(yaml));
    assertThat(done.at("/status/conditions/2/type").asText()).isEqualTo("Failed");
    assertThat(done.at("/status/conditions/2/reason").asText()).isEqualTo("ExperimentFailed");
    assertThat(done.at("/status/trialsFailed").asInt()).isGreaterThanOrEqualTo(2);
    JsonNode trial =
        store.resources().list("Trial", "team-a").stream()
            .map(r -> Json.parse(r.document()))
            .filter(d -> d.at("/status/conditions/1/type").asText().equals("Failed"))
            .findFirst()
            .orElseThrow();
    assertThat(trial.at("/status/conditions/1/message").asText()).contains("boom: out of memory");
  }

  @Test
  void a_trial_that_prints_no_metric_is_metrics_unavailable() throws Exception {
    String yaml =
        experiment(
            "quiet", "random", "maxTrialCount: 2\n  maxFailedTrialCount: 2", "print('hello')");
    ObjectNode done = controller.run(Experiment.readYaml(yaml));
    assertThat(done.at("/status/trialMetricsUnavailable").asInt()).isEqualTo(2);
    assertThat(done.at("/status/conditions/2/type").asText()).isEqualTo("Failed");
  }

  @Test
  void katibs_random_example_fails_naming_the_program_only_its_image_has() throws Exception {
    Path random = ExperimentTest.katib("hp-tuning/random.yaml");
    ObjectNode done = controller.run(Experiment.readYaml(Files.readString(random)));
    assertThat(done.at("/status/conditions/2/type").asText()).isEqualTo("Failed");
    JsonNode trial = Json.parse(store.resources().list("Trial", "kubeflow").get(0).document());
    assertThat(trial.at("/status/conditions/1/message").asText())
        .contains("/opt/pytorch-mnist/mnist.py");
  }

  @Test
  void a_pytorchjob_trial_says_it_needs_the_training_controller() throws Exception {
    Path file = ExperimentTest.katib("kubeflow-training-operator/pytorchjob-mnist.yaml");
    ObjectNode done = controller.run(Experiment.readYaml(Files.readString(file)));
    assertThat(done.at("/status/conditions/2/type").asText()).isEqualTo("Failed");
    JsonNode trial =
        Json.parse(
            store
                .resources()
                .list("Trial", done.at("/metadata/namespace").asText())
                .get(0)
                .document());
    assertThat(trial.at("/status/conditions/1/message").asText())
        .contains("PyTorchJob")
        .contains("training controller");
  }

  @Test
  void an_experiment_a_live_process_drives_is_not_taken_over_but_a_dead_ones_is() throws Exception {
    Experiment e = Experiment.readYaml(experiment("owned", "grid", "maxTrialCount: 10", TRAIN));
    String doc =
        """
        {"apiVersion": "kubeflow.org/v1beta1", "kind": "Experiment",
         "metadata": {"name": "owned", "namespace": "team-a", "uid": "u-owned",
                      "annotations": {"keel.dev/controller": "%s"}},
         "spec": {}, "status": {"conditions": [{"type": "Running", "status": "True"}]}}
        """;
    String alive = dev.keel.core.Owners.current().replaceFirst(":\\d+$", ":1"); // pid 1 lives
    store
        .resources()
        .create(
            new ResourceRecord(
                "Experiment",
                "team-a",
                "owned",
                "u-owned",
                null,
                0,
                doc.formatted(alive),
                java.time.Instant.now(),
                java.time.Instant.now()));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> controller.run(e))
        .isInstanceOf(dev.keel.store.ConflictException.class)
        .hasMessageContaining("is being run by");

    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    String dead = dev.keel.core.Owners.current().replaceFirst(":\\d+$", ":" + gone.pid());
    ResourceRecord r = store.resources().get("Experiment", "team-a", "owned").orElseThrow();
    store
        .resources()
        .update(
            "Experiment",
            "team-a",
            "owned",
            r.resourceVersion(),
            doc.formatted(dead),
            java.time.Instant.now());
    ObjectNode done = controller.run(e);
    assertThat(done.at("/status/trials").asInt()).isEqualTo(5);
    assertThat(done.at("/metadata/annotations/keel.dev~1controller").asText())
        .isEqualTo(dev.keel.core.Owners.current());
  }

  @Test
  void median_stop_ends_trials_worse_than_the_ones_before() throws Exception {
    String yaml =
        """
        apiVersion: kubeflow.org/v1beta1
        kind: Experiment
        metadata: {name: median, namespace: team-a}
        spec:
          objective: {type: minimize, objectiveMetricName: loss}
          algorithm: {algorithmName: grid}
          earlyStopping:
            algorithmName: medianstop
            algorithmSettings: [{name: min_trials_required, value: "2"}, {name: start_step, value: "2"}]
          parallelTrialCount: 1
          maxTrialCount: 5
          parameters:
          - {name: x, parameterType: int, feasibleSpace: {min: "1", max: "5"}}
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
                      command: [sh, -c, 'for i in 1 2 3 4 5 6; do echo loss=$0; sleep 0.25; done', '${trialParameters.x}']
        """;
    ObjectNode done = controller.run(Experiment.readYaml(yaml));
    assertThat(done.at("/status/trialsSucceeded").asInt()).isEqualTo(2);
    assertThat(done.at("/status/trialsEarlyStopped").asInt()).isEqualTo(3);
    assertThat(done.at("/status/currentOptimalTrial/parameterAssignments/0/value").asText())
        .isEqualTo("1");
    JsonNode stopped =
        store.resources().list("Trial", "team-a").stream()
            .map(r -> Json.parse(r.document()))
            .filter(d -> d.at("/spec/parameterAssignments/0/value").asText().equals("4"))
            .findFirst()
            .orElseThrow();
    assertThat(stopped.at("/status/conditions/1/type").asText()).isEqualTo("EarlyStopped");
    assertThat(stopped.at("/status/conditions/1/reason").asText()).isEqualTo("TrialEarlyStopped");
    assertThat(stopped.at("/status/conditions/1/message").asText())
        .contains("median stop value 1.5");
  }

  @Test
  void a_trial_that_ended_is_stored_before_the_next_one_starts_in_its_room() throws Exception {
    // what a process killed just after a trial started would leave: every trial beyond the first
    // parallelTrialCount starts in a room an ended trial left, whose end must be stored by then
    List<String> seen = new CopyOnWriteArrayList<>();
    ExperimentController watched =
        controller(
            new ExperimentController.Progress() {
              @Override
              public void trialStarted(String trial, java.util.Map<String, String> assignments) {
                long stored =
                    store.resources().list("Trial", "team-a").stream()
                        .map(r -> Json.parse(r.document()).at("/status/conditions"))
                        .filter(c -> c.size() > 1)
                        .filter(c -> c.get(c.size() - 1).path("type").asText().equals("Succeeded"))
                        .count();
                seen.add(trial + " after " + stored);
              }
            });
    ObjectNode done =
        watched.run(Experiment.readYaml(experiment("rooms", "grid", "maxTrialCount: 5", TRAIN)));
    assertThat(done.at("/status/trialsSucceeded").asInt()).isEqualTo(5);
    assertThat(seen).hasSize(5);
    for (int k = 2; k < seen.size(); k++) {
      long storedBefore = Long.parseLong(seen.get(k).substring(seen.get(k).indexOf(" after ") + 7));
      assertThat(storedBefore).as(seen.toString()).isGreaterThanOrEqualTo(k - 1);
    }
  }

  /** An experiment over lr in [0.01, 0.05] whose trial runs {@code program} with extra args. */
  static String collecting(String name, String collector, String program, String... args) {
    StringBuilder a = new StringBuilder();
    for (String x : args) {
      a.append(", \"").append(x).append('"');
    }
    return """
        apiVersion: kubeflow.org/v1beta1
        kind: Experiment
        metadata: {name: %s, namespace: team-a}
        spec:
          objective: {type: maximize, objectiveMetricName: accuracy, additionalMetricNames: [loss]}
          algorithm: {algorithmName: random, algorithmSettings: [{name: random_state, value: "5"}]}
          metricsCollectorSpec: %s
          parallelTrialCount: 2
          maxTrialCount: 2
          parameters:
          - {name: lr, parameterType: double, feasibleSpace: {min: "0.01", max: "0.05"}}
          trialTemplate:
            primaryContainerName: training-container
            trialParameters: [{name: learningRate, reference: lr}]
            trialSpec:
              apiVersion: batch/v1
              kind: Job
              spec:
                template:
                  spec:
                    containers:
                    - name: training-container
                      image: python:3.11
                      command: [python3, -c, "%s", "${trialParameters.learningRate}"%s]
                    restartPolicy: Never
        """
        .formatted(name, collector, program, a);
  }

  List<JsonNode> trials() {
    return store.resources().list("Trial", "team-a").stream()
        .map(r -> Json.parse(r.document()))
        .toList();
  }

  @Test
  void a_file_collector_reads_the_file_the_trial_wrote_with_katibs_filter() throws Exception {
    String program =
        "import sys; f=open(sys.argv[2].split('=')[1], 'w');"
            + " [f.write('{metricName: accuracy, metricValue: %.4f}\\\\n{metricName: loss,"
            + " metricValue: %.4f}\\\\n' % (0.5 + e / 10, 1 - e / 10)) for e in range(3)];"
            + " print('accuracy=0.01 is not read from the output')";
    ObjectNode done =
        controller.run(
            Experiment.readYaml(
                collecting(
                    "file-text",
                    "{collector: {kind: File}, source: {fileSystemPath: {path: /katib/mnist.log,"
                        + " kind: File}, filter: {metricsFormat: ['{metricName: ([\\w|-]+),"
                        + " metricValue: ((-?\\d+)(\\.\\d+)?)}']}}}",
                    program,
                    "--log-path=/katib/mnist.log")));
    assertThat(done.at("/status/conditions/2/type").asText()).isEqualTo("Succeeded");
    assertThat(done.at("/status/trialsSucceeded").asInt()).isEqualTo(2);
    JsonNode best = done.at("/status/currentOptimalTrial/observation/metrics");
    assertThat(best.get(0).path("max").asText()).isEqualTo("0.7");
    assertThat(best.get(0).path("latest").asText()).isEqualTo("0.7000");
    assertThat(best.get(1).path("min").asText()).isEqualTo("0.8");
    // the file lies under the trial's folder, not at /katib on this machine
    assertThat(Path.of("/katib/mnist.log")).doesNotExist();
    ResourceRecord trial = store.resources().list("Trial", "team-a").get(0);
    assertThat(store.resources().observations(trial.uid()))
        .extracting(o -> o.metricName() + "@" + o.step() + "=" + o.value())
        .containsExactly(
            "accuracy@1=0.5000",
            "loss@1=1.0000",
            "accuracy@2=0.6000",
            "loss@2=0.9000",
            "accuracy@3=0.7000",
            "loss@3=0.8000");
  }

  @Test
  void a_json_file_collector_keeps_numbers_and_katibs_strings() throws Exception {
    String program =
        "import sys, json; f=open(sys.argv[2], 'w');"
            + " [f.write(json.dumps({'accuracy': 0.5 + e / 10, 'loss': str(1 - e / 10),"
            + " 'global_step': e, 'timestamp': 1638422847.25 + e}) + chr(10)) for e in range(3)]";
    ObjectNode done =
        controller.run(
            Experiment.readYaml(
                collecting(
                    "file-json",
                    "{collector: {kind: File}, source: {fileSystemPath: {path: /katib/m.json,"
                        + " format: JSON}}}",
                    program,
                    "/katib/m.json")));
    assertThat(done.at("/status/trialsSucceeded").asInt()).isEqualTo(2);
    JsonNode metrics = done.at("/status/currentOptimalTrial/observation/metrics");
    assertThat(metrics.get(0).path("latest").asText()).isEqualTo("0.7");
    assertThat(metrics.get(1).path("latest").asText()).isEqualTo("0.8");
    ResourceRecord trial = store.resources().list("Trial", "team-a").get(0);
    assertThat(store.resources().observations(trial.uid()).get(0).time())
        .isEqualTo(java.time.Instant.parse("2021-12-02T05:27:27.250Z"));
  }

  @Test
  void a_json_file_with_a_broken_line_makes_the_trial_metrics_unavailable_saying_where()
      throws Exception {
    String program =
        "import sys; open(sys.argv[2], 'w').write('{\\\"accuracy\\\": 0.5}' + chr(10) + 'oops' + chr(10))";
    ObjectNode done =
        controller.run(
            Experiment.readYaml(
                collecting(
                    "file-broken",
                    "{collector: {kind: File}, source: {fileSystemPath: {path: /katib/m.json,"
                        + " format: JSON}}}",
                    program,
                    "/katib/m.json")));
    assertThat(done.at("/status/trialMetricsUnavailable").asInt()).isEqualTo(2);
    assertThat(trials().get(0).at("/status/conditions/1/message").asText()).contains("line 2");
  }

  @Test
  void push_trials_report_over_http_with_their_own_token() throws Exception {
    String program =
        "import json, os, sys, urllib.request, urllib.error\\n"
            + "def post(body, token):\\n"
            + "  r = urllib.request.Request(os.environ['KEEL_METRICS_URL'], data=json.dumps(body).encode(),"
            + " headers={'Authorization': 'Bearer ' + token, 'Content-Type': 'application/json'})\\n"
            + "  try:\\n"
            + "    return urllib.request.urlopen(r).status\\n"
            + "  except urllib.error.HTTPError as e:\\n"
            + "    return e.code\\n"
            + "assert post({'metrics': {'accuracy': 0.5}}, 'stolen') == 401\\n"
            + "assert post({'metrics': 'no'}, os.environ['KEEL_METRICS_TOKEN']) == 400\\n"
            + "for step in range(3):\\n"
            + "  assert post({'metrics': {'accuracy': 0.6 + step / 10, 'loss': 1 - step / 10, 'other': 1},"
            + " 'step': step}, os.environ['KEEL_METRICS_TOKEN']) == 200\\n";
    ObjectNode done =
        controller.run(
            Experiment.readYaml(collecting("pushed", "{collector: {kind: Push}}", program)));
    assertThat(done.at("/status/conditions/2/type").asText()).isEqualTo("Succeeded");
    assertThat(done.at("/status/trialsSucceeded").asInt()).isEqualTo(2);
    assertThat(done.at("/status/currentOptimalTrial/observation/metrics/0/latest").asText())
        .isEqualTo("0.8");
    ResourceRecord trial = store.resources().list("Trial", "team-a").get(0);
    assertThat(store.resources().observations(trial.uid()))
        .extracting(o -> o.metricName() + "@" + o.step())
        .containsExactly("accuracy@0", "loss@0", "accuracy@1", "loss@1", "accuracy@2", "loss@2");
  }

  @Test
  void hyperband_runs_its_brackets_with_the_resource_it_allots() throws Exception {
    String yaml =
        """
        apiVersion: kubeflow.org/v1beta1
        kind: Experiment
        metadata: {name: hb, namespace: team-a}
        spec:
          objective: {type: minimize, objectiveMetricName: loss}
          algorithm:
            algorithmName: hyperband
            algorithmSettings: [{name: resource_name, value: epochs}, {name: r_l, value: "9"},
                                {name: eta, value: "3"}, {name: random_state, value: "1"}]
          parallelTrialCount: 9
          maxTrialCount: 40
          parameters:
          - {name: lr, parameterType: double, feasibleSpace: {min: "0.01", max: "0.05"}}
          - {name: epochs, parameterType: int, feasibleSpace: {min: "1", max: "9"}}
          trialTemplate:
            primaryContainerName: main
            trialParameters: [{name: lr, reference: lr}, {name: epochs, reference: epochs}]
            trialSpec:
              apiVersion: batch/v1
              kind: Job
              spec:
                template:
                  spec:
                    containers:
                    - name: main
                      image: alpine
                      command: [sh, -c, 'echo loss=$0$1', '${trialParameters.epochs}', '${trialParameters.lr}']
        """;
    ObjectNode done = controller.run(Experiment.readYaml(yaml));
    assertThat(done.at("/status/conditions/2/reason").asText())
        .isEqualTo("ExperimentSuggestionEndReached");
    assertThat(done.at("/status/trials").asInt()).isEqualTo(22);
    java.util.Map<String, Long> byEpochs =
        trials().stream()
            .map(t -> t.at("/spec/parameterAssignments/1/value").asText())
            .collect(
                java.util.stream.Collectors.groupingBy(
                    x -> x, java.util.TreeMap::new, java.util.stream.Collectors.counting()));
    assertThat(byEpochs).containsExactly(entry("1", 9L), entry("3", 8L), entry("9", 5L));
  }

  @Test
  void sobol_and_cmaes_drive_experiments_too() throws Exception {
    for (String algorithm : List.of("sobol", "cmaes", "multivariate-tpe")) {
      String yaml =
          experiment(algorithm, algorithm, "maxTrialCount: 6", TRAIN)
              .replace(
                  "algorithmSettings: [{name: random_state, value: \"3\"}]",
                  "algorithmSettings: [{name: random_state, value: \"3\"}]")
              .replace(
                  "  - {name: lr, parameterType: double, feasibleSpace: {min: \"0.01\", max: \"0.05\", step: \"0.01\"}}",
                  "  - {name: lr, parameterType: double, feasibleSpace: {min: \"0.01\", max: \"0.05\"}}\n"
                      + "  - {name: wd, parameterType: double, feasibleSpace: {min: \"0.1\", max: \"0.5\"}}");
      ObjectNode done = controller.run(Experiment.readYaml(yaml));
      assertThat(done.at("/status/conditions/2/reason").asText())
          .as(algorithm)
          .isEqualTo("ExperimentMaxTrialsReached");
      assertThat(done.at("/status/trialsSucceeded").asInt()).as(algorithm).isEqualTo(6);
    }
  }

  @Test
  void a_tensorflow_event_collector_reads_the_event_files_the_trial_wrote() throws Exception {
    Path events =
        TfEventsTest.write(
            dir.resolve("made/events.out.tfevents.1.host"),
            TfEventsTest.fileVersion(1.7e9),
            TfEventsTest.event(1.7e9 + 1, 1, TfEventsTest.tensorFloatVal("accuracy", 0.5f, true)),
            TfEventsTest.event(1.7e9 + 2, 2, TfEventsTest.tensorFloatVal("accuracy", 0.75f, true)));
    String program =
        "import os, shutil, sys; d = os.path.join(sys.argv[2], 'train'); os.makedirs(d);"
            + " shutil.copy(sys.argv[3], d)";
    ObjectNode done =
        controller.run(
            Experiment.readYaml(
                collecting(
                        "tfevent",
                        "{collector: {kind: TensorFlowEvent}, source: {fileSystemPath: {path:"
                            + " /var/log/katib/tfevent/, kind: Directory}}}",
                        program,
                        "/var/log/katib/tfevent",
                        events.toString())
                    .replace("additionalMetricNames: [loss]", "additionalMetricNames: []")
                    .replace(
                        "objectiveMetricName: accuracy", "objectiveMetricName: train/accuracy")));
    assertThat(done.at("/status/trialsSucceeded").asInt()).isEqualTo(2);
    JsonNode m = done.at("/status/currentOptimalTrial/observation/metrics/0");
    assertThat(m.path("name").asText()).isEqualTo("train/accuracy");
    assertThat(m.path("max").asText()).isEqualTo("0.75");
    assertThat(m.path("latest").asText()).isEqualTo("0.75");
  }

  @Test
  void a_trial_past_its_deadline_is_killed_and_counted_as_failed() throws Exception {
    String yaml =
        experiment(
                "slow",
                "random",
                "maxTrialCount: 2\n  maxFailedTrialCount: 2",
                "import time; time.sleep(60)")
            .replaceFirst("( +)template:\n", "$1activeDeadlineSeconds: 1\n$1template:\n");
    long t0 = System.nanoTime();
    ObjectNode done = controller.run(Experiment.readYaml(yaml));
    assertThat((System.nanoTime() - t0) / 1e9).isLessThan(30);
    assertThat(done.at("/status/conditions/2/reason").asText()).isEqualTo("ExperimentFailed");
    assertThat(done.at("/status/trialsFailed").asInt()).isEqualTo(2);
    assertThat(trials().get(0).at("/status/conditions/1/message").asText())
        .containsIgnoringCase("deadline");
  }

  @Test
  void a_trial_can_be_a_keel_pipeline_run() throws Exception {
    String yaml =
        """
        apiVersion: kubeflow.org/v1beta1
        kind: Experiment
        metadata: {name: piped, namespace: team-a}
        spec:
          objective: {type: minimize, objectiveMetricName: loss}
          algorithm: {algorithmName: grid}
          parallelTrialCount: 2
          maxTrialCount: 5
          parameters:
          - {name: lr, parameterType: double, feasibleSpace: {min: "0.01", max: "0.03", step: "0.01"}}
          trialTemplate:
            primaryContainerName: main
            trialParameters: [{name: learningRate, reference: lr}]
            trialSpec:
              apiVersion: pipelines.kubeflow.org/v2beta1
              kind: Run
              spec:
                runtime_config:
                  parameters: {lr: "${trialParameters.learningRate}"}
                pipeline_spec:
                  pipelineInfo: {name: train}
                  schemaVersion: 2.1.0
                  components:
                    comp-train:
                      executorLabel: exec-train
                      inputDefinitions: {parameters: {lr: {parameterType: STRING}}}
                  deploymentSpec:
                    executors:
                      exec-train:
                        container:
                          image: alpine
                          command: [sh, -c, 'echo epoch 1; echo loss=$0', "{{$.inputs.parameters['lr']}}"]
                  root:
                    inputDefinitions: {parameters: {lr: {parameterType: STRING}}}
                    dag:
                      tasks:
                        train:
                          componentRef: {name: comp-train}
                          taskInfo: {name: train}
                          inputs: {parameters: {lr: {componentInputParameter: lr}}}
        """;
    var engine = dev.keel.pipelines.PipelineEngine.builder(store, runtime).dataDir(dir).build();
    try {
      controller.pipelines(engine);
      ObjectNode done = controller.run(Experiment.readYaml(yaml));
      assertThat(done.at("/status/conditions/2/reason").asText())
          .isEqualTo("ExperimentSuggestionEndReached");
      assertThat(done.at("/status/trialsSucceeded").asInt()).isEqualTo(3);
      assertThat(done.at("/status/currentOptimalTrial/parameterAssignments/0/value").asText())
          .isEqualTo("0.01");
      assertThat(done.at("/status/currentOptimalTrial/observation/metrics/0/latest").asText())
          .isEqualTo("0.01");
      // each trial was a pipeline run of its own, named after the trial
      assertThat(store.runs().list("team-a", null, 10, null).items())
          .extracting(dev.keel.store.RunRecord::displayName)
          .allMatch(n -> n.startsWith("piped-"))
          .hasSize(3);
    } finally {
      engine.close();
    }
  }

  @Test
  void an_experiment_that_reached_max_trials_restarts_with_a_higher_max_as_katib_allows()
      throws Exception {
    String two =
        experiment("again", "random", "maxTrialCount: 2\n  resumePolicy: LongRunning", TRAIN);
    ObjectNode first = controller.run(Experiment.readYaml(two));
    assertThat(first.at("/status/conditions/2/reason").asText())
        .isEqualTo("ExperimentMaxTrialsReached");
    // the same count again, another spec, or a policy of Never: refused, saying why
    assertThatThrownBy(() -> controller.run(Experiment.readYaml(two)))
        .isInstanceOf(dev.keel.store.ConflictException.class)
        .hasMessageContaining("raise spec.maxTrialCount");
    assertThatThrownBy(
            () ->
                controller.run(
                    Experiment.readYaml(
                        two.replace("maxTrialCount: 2", "maxTrialCount: 4")
                            .replace("max: \"0.05\"", "max: \"0.09\""))))
        .isInstanceOf(dev.keel.store.ConflictException.class)
        .hasMessageContaining("may change only");
    ObjectNode more =
        controller.run(Experiment.readYaml(two.replace("maxTrialCount: 2", "maxTrialCount: 4")));
    assertThat(more.at("/status/trials").asInt()).isEqualTo(4);
    assertThat(more.at("/spec/maxTrialCount").asInt()).isEqualTo(4);
    JsonNode conditions = more.at("/status/conditions");
    assertThat(conditions.findValuesAsText("reason")).contains("ExperimentRestarting");
    assertThat(conditions.get(conditions.size() - 1).path("reason").asText())
        .isEqualTo("ExperimentMaxTrialsReached");
    assertThat(conditions.get(conditions.size() - 1).path("status").asText()).isEqualTo("True");

    String never = experiment("never", "random", "maxTrialCount: 2", TRAIN);
    controller.run(Experiment.readYaml(never));
    assertThatThrownBy(
            () ->
                controller.run(
                    Experiment.readYaml(never.replace("maxTrialCount: 2", "maxTrialCount: 3"))))
        .isInstanceOf(dev.keel.store.ConflictException.class)
        .hasMessageContaining("resumePolicy is Never");
  }
}
