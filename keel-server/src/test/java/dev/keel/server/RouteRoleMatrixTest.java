package dev.keel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.access.Access;
import dev.keel.access.Principal;
import dev.keel.access.Role;
import dev.keel.core.Json;
import dev.keel.server.TestKeel.Response;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every namespaced route against every role: owner, admin, editor, viewer, a stranger and nobody.
 * Reads are for anyone with a role; writes for admin and editor too; a stranger gets 403 and nobody
 * 401, each as a JSON error that carries no data.
 */
class RouteRoleMatrixTest {
  @TempDir Path dir;
  TestKeel keel;
  final Map<String, String> tokens = new LinkedHashMap<>();
  String experimentId;
  String runId;
  String recurringId;
  String trialName;
  static final String KATIB = "/apis/kubeflow.org/v1beta1/namespaces/team-a";

  @BeforeEach
  void start() throws Exception {
    keel = TestKeel.builder(dir).parallelism(2).users().experiments().start();
    Access access = keel.access();
    for (String u : List.of("olivia", "ada", "ed", "vi", "sam")) {
      access.addUser(u, "correct horse".toCharArray(), false);
      tokens.put(u, access.createToken(u, "matrix").token());
    }
    access.createProfile("team-a", "olivia", Map.of());
    Principal owner = Principal.user("olivia");
    access.addContributor(owner, "team-a", "ada", Role.ADMIN);
    access.addContributor(owner, "team-a", "ed", Role.EDIT);
    access.addContributor(owner, "team-a", "vi", Role.VIEW);
    experimentId =
        send(
                "olivia",
                "POST",
                "/apis/v2beta1/experiments",
                Json.write(Map.of("display_name", "e", "namespace", "team-a")))
            .path("experiment_id")
            .asText();
    runId = send("olivia", "POST", "/apis/v2beta1/runs", runBody()).path("run_id").asText();
    keel.engine().await(runId);
    ObjectNode rr = (ObjectNode) Json.parse(runBody());
    rr.put("display_name", "hourly");
    rr.putObject("trigger").putObject("cron_schedule").put("cron", "@hourly");
    recurringId =
        send("olivia", "POST", "/apis/v2beta1/recurringruns", Json.write(rr))
            .path("recurring_run_id")
            .asText();
    Response made =
        call(
            "olivia",
            "POST",
            KATIB + "/experiments",
            KatibApiTest.experiment("matrix", "echo loss=$0"));
    assertThat(made.status()).as(made.text()).isEqualTo(201);
    long deadline = System.currentTimeMillis() + 60_000;
    while (!KatibApiTest.lastCondition(send("olivia", "GET", KATIB + "/experiments/matrix", null))
            .equals("Succeeded")
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    trialName =
        send("olivia", "GET", KATIB + "/trials", null).at("/items/0/metadata/name").asText();
    assertThat(trialName).startsWith("matrix-");
  }

  @AfterEach
  void stop() {
    keel.close();
  }

  String runBody() {
    ObjectNode b = Json.json().createObjectNode();
    b.put("experiment_id", experimentId);
    b.put("display_name", "r-" + System.nanoTime());
    try {
      b.set(
          "pipeline_spec",
          Json.yaml()
              .readTree(
                  java.nio.file.Files.readString(
                      Path.of(
                          System.getProperty("keel.shared", "../../shared"),
                          "conformance",
                          "kfp-ir",
                          "hello_world.yaml"))));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return Json.write(b);
  }

  JsonNode send(String user, String method, String path, String body) throws Exception {
    return Json.parse(call(user, method, path, body).text());
  }

  Response call(String user, String method, String path, String body) throws Exception {
    return keel.call(method, path, body, null, user == null ? null : tokens.get(user));
  }

  record Route(String method, String path, Supplier<String> body, boolean write) {}

  List<Route> routes() {
    String v2 = "/apis/v2beta1";
    List<Route> r = new ArrayList<>();
    r.add(new Route("GET", v2 + "/experiments?namespace=team-a", () -> null, false));
    r.add(new Route("GET", v2 + "/experiments/" + experimentId, () -> null, false));
    r.add(new Route("GET", v2 + "/runs?namespace=team-a", () -> null, false));
    r.add(new Route("GET", v2 + "/runs?experiment_id=" + experimentId, () -> null, false));
    r.add(new Route("GET", v2 + "/runs/" + runId, () -> null, false));
    r.add(new Route("GET", "/apis/v1alpha1/runs/" + runId + "/nodes/echo/log", () -> null, false));
    r.add(new Route("GET", v2 + "/recurringruns?namespace=team-a", () -> null, false));
    r.add(new Route("GET", v2 + "/recurringruns/" + recurringId, () -> null, false));
    r.add(new Route("GET", KATIB + "/experiments", () -> null, false));
    r.add(new Route("GET", KATIB + "/experiments/matrix", () -> null, false));
    r.add(new Route("GET", KATIB + "/trials", () -> null, false));
    r.add(
        new Route(
            "GET",
            KATIB + "/trials?labelSelector=katib.kubeflow.org/experiment%3Dmatrix",
            () -> null,
            false));
    r.add(new Route("GET", KATIB + "/trials/" + trialName, () -> null, false));
    r.add(new Route("GET", KATIB + "/trials/" + trialName + "/observationlog", () -> null, false));
    r.add(new Route("GET", KATIB + "/suggestions", () -> null, false));
    r.add(new Route("GET", KATIB + "/suggestions/matrix", () -> null, false));
    r.add(
        new Route(
            "POST",
            KATIB + "/experiments",
            () -> KatibApiTest.experiment("m" + System.nanoTime(), "echo loss=$0"),
            true));
    r.add(
        new Route(
            "PUT",
            KATIB + "/experiments/matrix",
            () -> KatibApiTest.experiment("matrix", "echo loss=$0"),
            true));
    r.add(
        new Route(
            "POST",
            v2 + "/experiments",
            () ->
                Json.write(Map.of("display_name", "x" + System.nanoTime(), "namespace", "team-a")),
            true));
    r.add(new Route("POST", v2 + "/experiments/" + experimentId + ":unarchive", () -> null, true));
    r.add(new Route("POST", v2 + "/runs", this::runBody, true));
    r.add(new Route("POST", v2 + "/runs/" + runId + ":archive", () -> null, true));
    r.add(new Route("POST", v2 + "/runs/" + runId + ":unarchive", () -> null, true));
    r.add(new Route("POST", v2 + "/recurringruns/" + recurringId + ":disable", () -> null, true));
    r.add(new Route("POST", v2 + "/recurringruns/" + recurringId + ":enable", () -> null, true));
    return r;
  }

  @Test
  void every_route_against_every_role() throws Exception {
    Map<String, Integer> allowed = new LinkedHashMap<>();
    List<String> table = new ArrayList<>();
    for (Route route : routes()) {
      for (String who : new String[] {"olivia", "ada", "ed", "vi", "sam", null}) {
        Response res = call(who, route.method(), route.path(), route.body().get());
        boolean mayRead = who != null && !who.equals("sam");
        boolean may = route.write() ? mayRead && !who.equals("vi") : mayRead;
        String cell = route.method() + " " + route.path() + " as " + who + " -> " + res.status();
        table.add(cell);
        if (may) {
          // 201 for a created Katib resource, as Kubernetes answers; applying the running
          // experiment again gets past the role check to a 409 about the experiment itself
          assertThat(res.status())
              .as(cell + " " + res.text())
              .isIn(route.method().equals("PUT") ? List.of(409) : List.of(200, 201));
          allowed.merge(String.valueOf(who), 1, Integer::sum);
        } else {
          int expected = who == null ? 401 : 403;
          assertThat(res.status()).as(cell + " " + res.text()).isEqualTo(expected);
          JsonNode err = Json.parse(res.text());
          assertThat(err.path("code").asInt())
              .isEqualTo(who == null ? ApiError.UNAUTHENTICATED : ApiError.PERMISSION_DENIED);
          // a refusal carries no data of the namespace
          assertThat(res.text())
              .doesNotContain("\"run_id\"")
              .doesNotContain("\"experiment_id\"")
              .doesNotContain("hello world")
              .doesNotContain("\"items\"")
              .doesNotContain("matrix-");
        }
      }
    }
    assertThat(table).hasSize(routes().size() * 6);
    assertThat(allowed.get("vi")).isEqualTo(16); // the reads
    assertThat(allowed.get("ed")).isEqualTo(routes().size());
    assertThat(allowed).doesNotContainKeys("sam", "null");
  }

  @Test
  void the_list_across_namespaces_holds_only_what_the_caller_may_read() throws Exception {
    for (String kind : List.of("experiments", "trials")) {
      String all = "/apis/kubeflow.org/v1beta1/" + kind;
      assertThat(send("vi", "GET", all, null).path("items")).isNotEmpty();
      JsonNode stranger = send("sam", "GET", all, null);
      assertThat(stranger.path("kind").asText()).endsWith("List");
      assertThat(stranger.path("items")).isEmpty();
      assertThat(call(null, "GET", all, null).status()).isEqualTo(401);
    }
  }

  @Test
  void destructive_routes_are_for_writers_only() throws Exception {
    for (String who : new String[] {"vi", "sam"}) {
      assertThat(call(who, "DELETE", "/apis/v2beta1/runs/" + runId, null).status()).isEqualTo(403);
      assertThat(call(who, "DELETE", "/apis/v2beta1/experiments/" + experimentId, null).status())
          .isEqualTo(403);
      assertThat(call(who, "DELETE", "/apis/v2beta1/recurringruns/" + recurringId, null).status())
          .isEqualTo(403);
      assertThat(call(who, "POST", "/apis/v2beta1/runs/" + runId + ":terminate", null).status())
          .isEqualTo(403);
      assertThat(call(who, "DELETE", KATIB + "/experiments/matrix", null).status()).isEqualTo(403);
    }
    assertThat(call(null, "DELETE", KATIB + "/experiments/matrix", null).status()).isEqualTo(401);
    assertThat(keel.store().resources().get("Experiment", "team-a", "matrix")).isPresent();
    assertThat(call("ed", "DELETE", KATIB + "/experiments/matrix", null).status()).isEqualTo(200);
    assertThat(keel.store().resources().get("Experiment", "team-a", "matrix")).isEmpty();
    assertThat(keel.store().resources().list("Trial", "team-a")).isEmpty();
    assertThat(keel.store().runs().get(runId)).isPresent();
    assertThat(call("ed", "DELETE", "/apis/v2beta1/recurringruns/" + recurringId, null).status())
        .isEqualTo(200);
    assertThat(call("ed", "DELETE", "/apis/v2beta1/runs/" + runId, null).status()).isEqualTo(200);
    assertThat(keel.store().runs().get(runId)).isEmpty();
  }

  /** The dashboard's pages of namespace team-a: anyone who may read it sees them, no one else. */
  List<String> pages() {
    return List.of(
        "/runs?namespace=team-a",
        "/runs/" + runId,
        "/runs/" + runId + "/node?task=echo",
        "/runs/" + runId + "/node/echo/log/stream",
        "/runs?namespace=team-a&archived=true",
        "/runs/compare?ids=" + runId,
        "/experiments?namespace=team-a",
        "/experiments/team-a/matrix",
        "/kfp/experiments?namespace=team-a",
        "/kfp/experiments/" + experimentId,
        "/recurringruns?namespace=team-a",
        "/namespaces/team-a/contributors");
  }

  @Test
  void every_page_against_every_role() throws Exception {
    List<String> table = new ArrayList<>();
    for (String page : pages()) {
      for (String who : new String[] {"olivia", "ada", "ed", "vi", "sam", null}) {
        HttpRequest.Builder b =
            HttpRequest.newBuilder(URI.create(keel.url() + page)).header("Accept", "text/html");
        if (who != null) {
          b.header("Authorization", "Bearer " + tokens.get(who));
        }
        HttpResponse<String> res =
            keel.http().send(b.build(), HttpResponse.BodyHandlers.ofString());
        String cell = "GET " + page + " as " + who + " -> " + res.statusCode();
        table.add(cell);
        if (who != null && !who.equals("sam")) {
          assertThat(res.statusCode()).as(cell).isEqualTo(200);
          assertThat(res.body()).as(cell).doesNotContain("Exception");
          if (!page.endsWith("/stream")) { // a finished task's log stream may close at once
            assertThat(res.body()).as(cell).isNotBlank();
          }
        } else {
          // a stranger gets a 403 page, anonymous is sent to sign in; neither sees the namespace's
          // data
          assertThat(res.statusCode())
              .as(cell)
              .isIn(who == null ? List.of(302, 303, 401) : List.of(403));
          assertThat(res.body())
              .as(cell)
              .doesNotContain(runId)
              .doesNotContain(experimentId)
              .doesNotContain("hello world")
              .doesNotContain("matrix-");
        }
      }
    }
    assertThat(table).hasSize(pages().size() * 6);
  }
}
