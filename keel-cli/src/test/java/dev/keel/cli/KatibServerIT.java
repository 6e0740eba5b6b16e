package dev.keel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keel apply|get|describe --server}: an experiment handed to a running {@code keel server},
 * run there, and read back through its API; refusals as clear errors; an experiment a killed {@code
 * keel apply} left, carried on by the server when it starts.
 */
class KatibServerIT {
  private static final Pattern READY =
      Pattern.compile("keel server ready at (http://127\\.0\\.0\\.1:(\\d+))/\\?token=(\\S+) ");
  static final String TOKEN = "katib-it-token-42";

  @TempDir Path data;
  @TempDir Path work;

  record Started(Process process, String base, String firstLine) {}

  Started start(Path out) throws Exception {
    Process p = KeelProcess.start(data, out, "server", "--port", "0", "--token", TOKEN);
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      String text = Files.exists(out) ? Files.readString(out) : "";
      Matcher m = READY.matcher(text);
      if (m.find()) {
        return new Started(p, m.group(1), text);
      }
      if (!p.isAlive()) {
        throw new AssertionError("keel server exited:\n" + text);
      }
      Thread.sleep(50);
    }
    p.destroyForcibly();
    throw new AssertionError("keel server never said it was ready:\n" + Files.readString(out));
  }

  void stop(Started s) throws Exception {
    s.process().destroy();
    assertThat(s.process().waitFor(20, TimeUnit.SECONDS)).isTrue();
  }

  static String experiment(String name, String command, int max) {
    return """
        apiVersion: kubeflow.org/v1beta1
        kind: Experiment
        metadata: {name: %s}
        spec:
          objective: {type: minimize, objectiveMetricName: loss}
          algorithm: {algorithmName: random, algorithmSettings: [{name: random_state, value: "3"}]}
          parallelTrialCount: 2
          maxTrialCount: %d
          parameters:
          - {name: x, parameterType: int, feasibleSpace: {min: "1", max: "1000"}}
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
                      command: [sh, -c, '%s', '${trialParameters.x}']
        """
        .formatted(name, max, command);
  }

  /** The CLI as a client: no data folder of its own, the server named by flags. */
  KeelProcess.Result client(Started s, String... args) throws Exception {
    String[] all = new String[args.length + 4];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--server";
    all[args.length + 1] = s.base();
    all[args.length + 2] = "--token";
    all[args.length + 3] = TOKEN;
    return KeelProcess.run(null, all);
  }

  static String last(JsonNode doc) {
    JsonNode c = doc.at("/status/conditions");
    return c.size() == 0 ? "" : c.get(c.size() - 1).path("type").asText();
  }

  JsonNode awaitEnd(Started s, String name) throws Exception {
    long deadline = System.currentTimeMillis() + 120_000;
    JsonNode doc = null;
    while (System.currentTimeMillis() < deadline) {
      var got = client(s, "get", "experiment", name, "-o", "json");
      assertThat(got.code()).as(got.all()).isZero();
      doc = Json.parse(got.out());
      if (last(doc).equals("Succeeded") || last(doc).equals("Failed")) {
        return doc;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("experiment " + name + " did not end: " + doc);
  }

  @Test
  void apply_with_server_hands_the_experiment_over_and_get_reads_it_back() throws Exception {
    Started s = start(data.resolve("server.out"));
    try {
      Path yaml = work.resolve("remote.yaml");
      Files.writeString(yaml, experiment("remote", "echo loss=$0", 4));
      var applied = client(s, "apply", "-f", yaml.toString());
      assertThat(applied.code()).as(applied.all()).isZero();
      assertThat(applied.out().strip()).isEqualTo("experiment.kubeflow.org/remote created");

      JsonNode done = awaitEnd(s, "remote");
      assertThat(last(done)).as(done.toString()).isEqualTo("Succeeded");
      assertThat(done.at("/status/trialsSucceeded").asInt()).isEqualTo(4);
      assertThat(done.at("/status/currentOptimalTrial/bestTrialName").asText())
          .startsWith("remote-");

      var list = client(s, "get", "experiments");
      assertThat(list.code()).as(list.all()).isZero();
      assertThat(list.out()).contains("default").contains("remote").contains("Succeeded");
      var trials = client(s, "get", "trials", "--experiment", "remote");
      assertThat(trials.out().lines().filter(l -> l.contains("remote-"))).hasSize(4);
      var trialsJson = client(s, "get", "trials", "-n", "default", "-o", "json");
      assertThat(Json.parse(trialsJson.out()).path("items")).hasSize(4);
      var described = client(s, "describe", "experiment", "remote");
      assertThat(described.code()).as(described.all()).isZero();
      assertThat(described.out())
          .contains("Objective:    minimize loss")
          .contains("Algorithm:    random")
          .contains("Best trial:")
          .contains("4 trials, 4 succeeded")
          .contains("ExperimentMaxTrialsReached");
      assertThat(described.out().lines().filter(l -> l.contains("remote-"))).hasSizeGreaterThan(4);

      // the same through the environment
      var viaEnv =
          KeelProcess.runWithEnv(
              null,
              null,
              Map.of("KEEL_SERVER", s.base(), "KEEL_TOKEN", TOKEN),
              "get",
              "experiment",
              "remote",
              "-n",
              "default",
              "-o",
              "yaml");
      assertThat(viaEnv.code()).as(viaEnv.all()).isZero();
      assertThat(viaEnv.out()).contains("bestTrialName");

      // refusals, each a clear message and a non-zero exit
      var again = client(s, "apply", "-f", yaml.toString());
      assertThat(again.code()).isEqualTo(1);
      assertThat(again.err()).contains("409").contains("cannot carry on");

      Path bad = work.resolve("bad.yaml");
      Files.writeString(
          bad,
          experiment("bad", "echo loss=$0", 4)
              .replace("parallelTrialCount: 2", "parallelTrialCount: 0")
              .replace("algorithmName: random", "algorithmName: random, surprise: 1"));
      var invalid = client(s, "apply", "-f", bad.toString());
      assertThat(invalid.code()).as(invalid.all()).isEqualTo(Keel.EXIT_INVALID);
      assertThat(invalid.err())
          .contains(bad + ": spec.parallelTrialCount")
          .contains(bad + ": spec.algorithm.surprise");

      var missing = client(s, "get", "experiment", "nothing", "-n", "default");
      assertThat(missing.code()).isNotZero();
      assertThat(missing.err()).contains("no Experiment 'nothing'");

      var anonymous =
          KeelProcess.run(null, "get", "experiments", "--server", s.base(), "--token", "wrong");
      assertThat(anonymous.code()).isEqualTo(1);
      assertThat(anonymous.err()).contains("401").contains("--token");

      // the CLI on the data folder sees what the server made
      var local = KeelProcess.run(data, "get", "experiments");
      assertThat(local.out()).contains("remote").contains("Succeeded");
    } finally {
      stop(s);
    }
  }

  @Test
  void an_experiment_a_killed_keel_apply_left_is_carried_on_by_the_server() throws Exception {
    Path journal = work.resolve("journal.txt");
    Path yaml = work.resolve("left.yaml");
    Files.writeString(
        yaml,
        experiment(
                "left", "echo start $0 >> \"$1\"; sleep 1; echo end $0 >> \"$1\"; echo loss=$0", 6)
            .replace("'${trialParameters.x}']", "'${trialParameters.x}', '" + journal + "']"));
    Process keel =
        KeelProcess.start(data, work.resolve("apply.out"), "apply", "-f", yaml.toString());
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      List<String> lines = Files.exists(journal) ? Files.readAllLines(journal) : List.of();
      if (lines.stream().filter(l -> l.startsWith("end")).count() >= 2) {
        break;
      }
      Thread.sleep(20);
    }
    keel.destroyForcibly();
    assertThat(keel.waitFor(10, TimeUnit.SECONDS)).isTrue();

    Started s = start(data.resolve("server.out"));
    try {
      assertThat(s.firstLine()).contains("1 unfinished experiment(s) resumed");
      JsonNode done = awaitEnd(s, "left");
      assertThat(last(done)).as(done.toString()).isEqualTo("Succeeded");
      assertThat(done.at("/status/trials").asInt()).isEqualTo(6);
      assertThat(done.at("/status/trialsSucceeded").asInt()).isEqualTo(6);
    } finally {
      stop(s);
    }
  }
}
