package dev.keel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.Ids;
import dev.keel.core.Json;
import dev.keel.core.Owners;
import dev.keel.server.TestKeel.Response;
import dev.keel.store.ResourceRecord;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Katib's resource API over real HTTP: an experiment created, run by the server to its end, read
 * back with its trials; refusals with their paths; delete of a running one; resumption at start.
 */
class KatibApiTest {
  static final String TOKEN = "katib-token-0123456789";
  static final String NS = "/apis/kubeflow.org/v1beta1/namespaces/default";

  /** Random search of x in 1..100, minimising loss = x; each trial prints {@code loss=<x>}. */
  static String experiment(String name, String command) {
    return """
        apiVersion: kubeflow.org/v1beta1
        kind: Experiment
        metadata: {name: %s}
        spec:
          objective: {type: minimize, objectiveMetricName: loss}
          algorithm: {algorithmName: random, algorithmSettings: [{name: random_state, value: "7"}]}
          parallelTrialCount: 2
          maxTrialCount: 4
          parameters:
          - {name: x, parameterType: int, feasibleSpace: {min: "1", max: "100"}}
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
        .formatted(name, command);
  }

  @TempDir Path dir;
  TestKeel keel;

  @BeforeEach
  void start() {
    keel = TestKeel.builder(dir).parallelism(4).token(TOKEN).experiments().start();
  }

  @AfterEach
  void stop() {
    keel.close();
  }

  Response call(String method, String path, String body, String contentType) throws Exception {
    return keel.call(method, path, body, contentType, TOKEN);
  }

  Response post(String yaml) throws Exception {
    return call("POST", NS + "/experiments", yaml, "application/yaml");
  }

  Response get(String path) throws Exception {
    return call("GET", path, null, null);
  }

  static String lastCondition(JsonNode doc) {
    JsonNode c = doc.at("/status/conditions");
    return c.size() == 0 ? "" : c.get(c.size() - 1).path("type").asText();
  }

  JsonNode awaitEnd(String name) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      Response r = get(NS + "/experiments/" + name);
      assertThat(r.status()).as(r.text()).isEqualTo(200);
      String c = lastCondition(r.json());
      if (c.equals("Succeeded") || c.equals("Failed")) {
        return r.json();
      }
      Thread.sleep(50);
    }
    throw new AssertionError("experiment " + name + " did not end in 60 s");
  }

  @Test
  void put_restarts_an_experiment_that_reached_max_trials_with_a_higher_max() throws Exception {
    String yaml =
        experiment("more", "echo loss=$0")
            .replace("maxTrialCount: 4", "maxTrialCount: 2\n  resumePolicy: LongRunning");
    assertThat(post(yaml).status()).isEqualTo(201);
    assertThat(awaitEnd("more").at("/status/trials").asInt()).isEqualTo(2);
    Response same = call("PUT", NS + "/experiments/more", yaml, "application/yaml");
    assertThat(same.status()).isEqualTo(409);
    assertThat(same.text()).contains("raise spec.maxTrialCount");
    assertThat(call("PUT", NS + "/experiments/other", yaml, "application/yaml").status())
        .isEqualTo(404);
    Response more =
        call(
            "PUT",
            NS + "/experiments/more",
            yaml.replace("maxTrialCount: 2", "maxTrialCount: 5"),
            "application/yaml");
    assertThat(more.status()).as(more.text()).isEqualTo(200);
    JsonNode done = awaitEnd("more");
    assertThat(done.at("/status/trials").asInt()).isEqualTo(5);
    assertThat(done.at("/status/conditions").findValuesAsText("reason"))
        .contains("ExperimentRestarting");
  }

  @Test
  void an_experiment_posted_runs_on_the_server_to_its_end() throws Exception {
    Response created = post(experiment("rand", "echo loss=$0"));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    assertThat(created.json().at("/metadata/namespace").asText()).isEqualTo("default");
    assertThat(created.json().at("/metadata/uid").asText()).isNotEmpty();
    assertThat(created.json().at("/metadata/resourceVersion").asText()).isNotEmpty();
    assertThat(created.json().path("kind").asText()).isEqualTo("Experiment");

    JsonNode done = awaitEnd("rand");
    assertThat(lastCondition(done)).as(done.toString()).isEqualTo("Succeeded");
    assertThat(done.at("/status/trials").asInt()).isEqualTo(4);
    assertThat(done.at("/status/trialsSucceeded").asInt()).isEqualTo(4);
    JsonNode best = done.at("/status/currentOptimalTrial");
    String bestName = best.path("bestTrialName").asText();
    assertThat(bestName).startsWith("rand-");
    String bestX = best.at("/parameterAssignments/0/value").asText();
    assertThat(Double.parseDouble(best.at("/observation/metrics/0/latest").asText()))
        .isEqualTo(Double.parseDouble(bestX));

    Response trials =
        get(
            NS
                + "/trials?labelSelector="
                + URLEncoder.encode("katib.kubeflow.org/experiment=rand", StandardCharsets.UTF_8));
    assertThat(trials.status()).isEqualTo(200);
    assertThat(trials.json().path("kind").asText()).isEqualTo("TrialList");
    assertThat(trials.json().path("apiVersion").asText()).isEqualTo("kubeflow.org/v1beta1");
    assertThat(trials.json().path("items")).hasSize(4);
    List<Double> losses = new ArrayList<>();
    for (JsonNode t : trials.json().path("items")) {
      assertThat(lastCondition(t)).isEqualTo("Succeeded");
      assertThat(t.at("/metadata/ownerReferences/0/uid").asText())
          .isEqualTo(done.at("/metadata/uid").asText());
      losses.add(Double.parseDouble(t.at("/status/observation/metrics/0/latest").asText()));
    }
    assertThat(losses.stream().mapToDouble(Double::doubleValue).min().orElseThrow())
        .isEqualTo(Double.parseDouble(bestX));
    assertThat(
            get(NS + "/trials?labelSelector=katib.kubeflow.org/experiment%3Dother")
                .json()
                .path("items"))
        .isEmpty();

    Response one = get(NS + "/trials/" + bestName);
    assertThat(one.status()).isEqualTo(200);
    assertThat(one.json().at("/metadata/name").asText()).isEqualTo(bestName);
    JsonNode log = get(NS + "/trials/" + bestName + "/observationlog").json();
    assertThat(log.at("/observationLog/trialName").asText()).isEqualTo(bestName);
    assertThat(log.at("/observationLog/metricLogs/0/metric/name").asText()).isEqualTo("loss");
    assertThat(Double.parseDouble(log.at("/observationLog/metricLogs/0/metric/value").asText()))
        .isEqualTo(Double.parseDouble(bestX));
    assertThat(
            get(NS + "/trials/" + bestName + "/observationlog?metric=accuracy")
                .json()
                .at("/observationLog/metricLogs"))
        .isEmpty();
    assertThat(get(NS + "/trials/nothing/observationlog").status()).isEqualTo(404);

    Response list = get(NS + "/experiments");
    assertThat(list.json().path("kind").asText()).isEqualTo("ExperimentList");
    assertThat(list.json().path("items")).hasSize(1);
    assertThat(get("/apis/kubeflow.org/v1beta1/experiments").json().path("items")).hasSize(1);
    assertThat(get("/apis/kubeflow.org/v1beta1/namespaces/other/experiments").json().path("items"))
        .isEmpty();

    // ended: a second one by that name is refused, as Kubernetes refuses a taken name
    Response again = post(experiment("rand", "echo loss=$0"));
    assertThat(again.status()).as(again.text()).isEqualTo(409);
    assertThat(again.json().path("code").asInt()).isEqualTo(ApiError.ALREADY_EXISTS);

    // deleting it takes its trials with it
    Response deleted = call("DELETE", NS + "/experiments/rand", null, null);
    assertThat(deleted.status()).as(deleted.text()).isEqualTo(200);
    assertThat(deleted.json().path("status").asText()).isEqualTo("Success");
    assertThat(get(NS + "/experiments/rand").status()).isEqualTo(404);
    assertThat(get(NS + "/trials").json().path("items")).isEmpty();
  }

  @Test
  void json_bodies_are_read_too() throws Exception {
    String json = Json.write(Json.yaml().readTree(experiment("as-json", "echo loss=$0")));
    Response created = call("POST", NS + "/experiments", json, "application/json");
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    assertThat(lastCondition(awaitEnd("as-json"))).isEqualTo("Succeeded");
  }

  @Test
  void refusals_name_what_is_wrong() throws Exception {
    Response notYaml = post("apiVersion: [unclosed");
    assertThat(notYaml.status()).isEqualTo(400);
    assertThat(notYaml.json().path("message").asText()).contains("not YAML");

    ObjectNode bad = (ObjectNode) Json.yaml().readTree(experiment("bad", "echo loss=$0"));
    bad.put("apiVersion", "kubeflow.org/v1");
    ((ObjectNode) bad.path("spec")).put("parallelTrialCount", 0);
    ((ObjectNode) bad.path("spec")).put("surprise", true);
    Response invalid = call("POST", NS + "/experiments", Json.write(bad), "application/json");
    assertThat(invalid.status()).as(invalid.text()).isEqualTo(400);
    assertThat(invalid.json().path("code").asInt()).isEqualTo(ApiError.INVALID_ARGUMENT);
    List<String> fields = new ArrayList<>();
    invalid
        .json()
        .at("/details/0/field_violations")
        .forEach(v -> fields.add(v.path("field").asText()));
    assertThat(fields).contains("apiVersion", "spec.parallelTrialCount", "spec.surprise");
    assertThat(get(NS + "/experiments/bad").status()).isEqualTo(404);

    Response elsewhere =
        post(
            experiment("moved", "echo loss=$0")
                .replace("{name: moved}", "{name: moved, namespace: team-b}"));
    assertThat(elsewhere.status()).as(elsewhere.text()).isEqualTo(400);
    assertThat(elsewhere.json().path("message").asText())
        .contains("metadata.namespace")
        .contains("team-b")
        .contains("default");

    Response missing = get(NS + "/experiments/nothing");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().path("code").asInt()).isEqualTo(ApiError.NOT_FOUND);
    assertThat(missing.json().path("message").asText()).contains("nothing");
    assertThat(call("DELETE", NS + "/experiments/nothing", null, null).status()).isEqualTo(404);
    assertThat(get(NS + "/trials/nothing").status()).isEqualTo(404);

    Response selector = get(NS + "/trials?labelSelector=app%20in%20(a)");
    assertThat(selector.status()).isEqualTo(400);

    HttpResponse<String> anonymous =
        keel.http()
            .send(
                HttpRequest.newBuilder(URI.create(keel.url() + NS + "/experiments")).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(Json.parse(anonymous.body()).path("code").asInt())
        .isEqualTo(ApiError.UNAUTHENTICATED);
  }

  @Test
  void a_duplicate_of_a_running_experiment_is_refused() throws Exception {
    String slow = experiment("slow", "sleep 2; echo loss=$0");
    assertThat(post(slow).status()).isEqualTo(201);
    Response again = post(slow);
    assertThat(again.status()).as(again.text()).isEqualTo(409);
    assertThat(again.json().path("message").asText()).contains("already exists");
    assertThat(call("DELETE", NS + "/experiments/slow", null, null).status()).isEqualTo(200);
  }

  @Test
  void deleting_a_running_experiment_stops_its_trials() throws Exception {
    Path journal = dir.resolve("journal.txt");
    String cmd =
        "echo start >> " + journal + "; sleep 3; echo end >> " + journal + "; echo loss=$0";
    assertThat(post(experiment("doomed", cmd)).status()).isEqualTo(201);
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline
        && (!Files.exists(journal) || Files.readAllLines(journal).size() < 2)) {
      Thread.sleep(20);
    }
    assertThat(Files.readAllLines(journal)).containsExactly("start", "start");
    assertThat(get(NS + "/trials").json().path("items")).hasSize(2);

    Response deleted = call("DELETE", NS + "/experiments/doomed", null, null);
    assertThat(deleted.status()).as(deleted.text()).isEqualTo(200);
    assertThat(get(NS + "/experiments/doomed").status()).isEqualTo(404);
    assertThat(get(NS + "/trials").json().path("items")).isEmpty();
    Thread.sleep(4_000); // longer than a trial would have taken
    assertThat(Files.readAllLines(journal)).containsExactly("start", "start");
    assertThat(keel.store().resources().list("Trial", null)).isEmpty();
  }

  @Test
  void an_experiment_a_dead_process_left_is_resumed_when_the_server_starts() throws Exception {
    // what a keel that died right after creating it leaves in the store
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    String me = Owners.current();
    String deadOwner = me.substring(0, me.lastIndexOf(':') + 1) + gone.pid();
    assertThat(Owners.isDeadLocal(deadOwner)).isTrue();
    ObjectNode doc = (ObjectNode) Json.yaml().readTree(experiment("orphan", "echo loss=$0"));
    String uid = Ids.newId();
    Instant now = Instant.now();
    ObjectNode meta = doc.with("metadata");
    meta.put("namespace", "default").put("uid", uid).put("creationTimestamp", now.toString());
    meta.putObject("annotations").put(dev.keel.katib.ExperimentController.OWNER, deadOwner);
    ObjectNode status = doc.putObject("status");
    status.put("startTime", now.toString());
    status
        .putArray("conditions")
        .addObject()
        .put("type", "Running")
        .put("status", "True")
        .put("reason", "ExperimentRunning");
    keel.store()
        .resources()
        .create(
            new ResourceRecord(
                "Experiment", "default", "orphan", uid, null, 0, Json.write(doc), now, now));

    assertThat(keel.restart().resumedExperiments()).containsExactly("default/orphan");
    JsonNode done = awaitEnd("orphan");
    assertThat(lastCondition(done)).as(done.toString()).isEqualTo("Succeeded");
    assertThat(done.at("/status/trialsSucceeded").asInt()).isEqualTo(4);
    assertThat(done.at("/metadata/annotations/keel.dev~1controller").asText()).isEqualTo(me);

    // one that ended is left alone
    assertThat(keel.restart().resumedExperiments()).isEmpty();
  }
}
