package dev.keel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.access.Access;
import dev.keel.access.Authenticator;
import dev.keel.access.Role;
import dev.keel.core.Json;
import dev.keel.server.TestKeel.Response;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The KFP v2beta1 API over real HTTP, replaying the requests {@code kfp.Client} makes (kfp.md §C.4)
 * against a server with a real store, runtime and engine.
 */
class KfpApiTest {
  static final String TOKEN = "test-token-0123456789";
  static final Set<String> TERMINAL = Set.of("succeeded", "failed", "skipped", "error");

  static final String GREETING =
      """
      pipelineInfo: {name: greeting}
      schemaVersion: 2.1.0
      components:
        comp-say:
          executorLabel: exec-say
          inputDefinitions:
            parameters:
              text: {parameterType: STRING}
              times: {parameterType: NUMBER_INTEGER}
      deploymentSpec:
        executors:
          exec-say:
            container:
              image: alpine
              command: [echo, "{{$.inputs.parameters['text']}}", "{{$.inputs.parameters['times']}}"]
      root:
        inputDefinitions:
          parameters:
            text: {parameterType: STRING}
            times: {parameterType: NUMBER_INTEGER, defaultValue: 1}
        dag:
          tasks:
            say:
              componentRef: {name: comp-say}
              inputs:
                parameters:
                  text: {componentInputParameter: text}
                  times: {componentInputParameter: times}
      """;

  @TempDir Path dir;
  TestKeel keel;

  @BeforeEach
  void start() {
    keel = TestKeel.builder(dir).parallelism(2).token(TOKEN).server(b -> b.version("test")).start();
  }

  @AfterEach
  void stop() {
    keel.close();
  }

  Response call(String method, String path, String body, String token) throws Exception {
    return keel.call(method, path, body, body == null ? null : "application/json", token);
  }

  Response get(String path) throws Exception {
    return call("GET", path, null, TOKEN);
  }

  Response post(String path, Object body) throws Exception {
    return call("POST", path, body == null ? null : Json.write(body), TOKEN);
  }

  Response upload(String path, String filename, byte[] content) throws Exception {
    String boundary = "----keel" + System.nanoTime();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(
        ("--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"uploadfile\"; filename=\""
                + filename
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
            .getBytes(StandardCharsets.UTF_8));
    out.write(content);
    out.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(keel.url() + path))
            .header("Authorization", "Bearer " + TOKEN)
            .header("Content-Type", "multipart/form-data; boundary=" + boundary)
            .POST(HttpRequest.BodyPublishers.ofByteArray(out.toByteArray()))
            .build();
    HttpResponse<String> r = keel.http().send(req, HttpResponse.BodyHandlers.ofString());
    return new Response(r.statusCode(), Json.parse(r.body()), r.body());
  }

  static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** {@code wait_for_run_completion}: polls get_run until the state is one kfp.Client ends on. */
  JsonNode waitForRun(String runId) throws Exception {
    Instant deadline = Instant.now().plusSeconds(60);
    while (Instant.now().isBefore(deadline)) {
      JsonNode run = get("/apis/v2beta1/runs/" + runId).json();
      if (TERMINAL.contains(run.path("state").asText().toLowerCase())) {
        return run;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("run " + runId + " did not finish");
  }

  static ObjectNode spec(String yaml) {
    return (ObjectNode) Json.yaml().valueToTree(Json.parse(Json.write(yamlTree(yaml))));
  }

  static JsonNode yamlTree(String yaml) {
    try {
      return Json.yaml().readTree(yaml);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void create_run_from_pipeline_package_then_wait_for_completion() throws Exception {
    Response health = call("GET", "/apis/v2beta1/healthz", null, null);
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.json().path("multi_user").asBoolean()).isFalse();
    assertThat(health.json().path("tag_name").asText()).isEqualTo("test");

    // create_experiment('Default'): look it up by name, then create it
    String filter =
        "{\"predicates\":[{\"operation\":1,\"key\":\"display_name\",\"stringValue\":\"Default\"}]}";
    Response found = get("/apis/v2beta1/experiments?filter=" + q(filter) + "&namespace=default");
    assertThat(found.status()).isEqualTo(200);
    assertThat(found.json().path("experiments")).isEmpty();
    Response exp =
        post(
            "/apis/v2beta1/experiments",
            Map.of("display_name", "Default", "description", "", "namespace", "default"));
    assertThat(exp.status()).as(exp.text()).isEqualTo(200);
    String experimentId = exp.json().path("experiment_id").asText();
    assertThat(exp.json().path("storage_state").asText()).isEqualTo("AVAILABLE");
    assertThat(
            get("/apis/v2beta1/experiments?filter=" + q(filter) + "&namespace=default")
                .json()
                .path("experiments"))
        .hasSize(1);

    // the run, with the spec inline as kfp.Client sends it
    ObjectNode body = Json.json().createObjectNode();
    body.put("experiment_id", experimentId);
    body.put("display_name", "greeting 2026-11-22 12-00-00");
    body.set("pipeline_spec", yamlTree(GREETING));
    body.putObject("runtime_config").putObject("parameters").put("text", "hello").put("times", 3);
    body.putNull("service_account");
    Response created = post("/apis/v2beta1/runs", body);
    assertThat(created.status()).as(created.text()).isEqualTo(200);
    String runId = created.json().path("run_id").asText();
    assertThat(created.json().path("experiment_id").asText()).isEqualTo(experimentId);

    JsonNode done = waitForRun(runId);
    assertThat(done.path("state").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
    assertThat(done.path("display_name").asText()).isEqualTo("greeting 2026-11-22 12-00-00");
    JsonNode task = done.at("/run_details/task_details").get(0);
    assertThat(task.path("display_name").asText()).isEqualTo("say");
    assertThat(task.path("state").asText()).isEqualTo("SUCCEEDED");

    // its log, through the v1alpha1 log route, shows the arguments the task got
    Response log = get("/apis/v1alpha1/runs/" + runId + "/nodes/say/log");
    assertThat(log.status()).isEqualTo(200);
    assertThat(log.text()).contains("hello 3");

    // an artifact whose URI points outside the run's artifact folder is never read
    String taskId = task.path("task_id").asText();
    keel.store()
        .artifacts()
        .insert(
            new dev.keel.store.ArtifactRecord(
                dev.keel.core.Ids.newId(),
                runId,
                taskId,
                "stolen",
                "file:///etc/passwd",
                "system.Artifact",
                "{}",
                Instant.now()));
    Response stolen =
        get("/apis/v2beta1/runs/" + runId + "/nodes/" + taskId + "/artifacts/stolen:read");
    assertThat(stolen.status()).isEqualTo(400);
    assertThat(stolen.text()).contains("artifact stolen").doesNotContain("root:");

    // list_runs(page_size=10, namespace)
    Response list = get("/apis/v2beta1/runs?page_token=&page_size=10&sort_by=&namespace=default");
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.json().path("runs").findValuesAsText("run_id")).containsExactly(runId);
    assertThat(list.json().path("total_size").asInt()).isEqualTo(1);
    assertThat(list.json().path("next_page_token").asText()).isEmpty();
  }

  @Test
  void upload_pipeline_then_run_a_version_of_it() throws Exception {
    Response up =
        upload(
            "/apis/v2beta1/pipelines/upload?name=greeting&description=says+hello",
            "greeting.yaml",
            GREETING.getBytes(StandardCharsets.UTF_8));
    assertThat(up.status()).as(up.text()).isEqualTo(200);
    String pipelineId = up.json().path("pipeline_id").asText();
    assertThat(up.json().path("display_name").asText()).isEqualTo("greeting");

    // get_pipeline_id(name): a list filtered on display_name
    String filter =
        "{\"predicates\":[{\"operation\":\"EQUALS\",\"key\":\"display_name\",\"string_value\":\"greeting\"}]}";
    assertThat(
            get("/apis/v2beta1/pipelines?filter=" + q(filter))
                .json()
                .path("pipelines")
                .findValuesAsText("pipeline_id"))
        .containsExactly(pipelineId);

    Response versions = get("/apis/v2beta1/pipelines/" + pipelineId + "/versions");
    String versionId =
        versions.json().path("pipeline_versions").get(0).path("pipeline_version_id").asText();
    Response version = get("/apis/v2beta1/pipelines/" + pipelineId + "/versions/" + versionId);
    assertThat(version.json().at("/pipeline_spec/pipelineInfo/name").asText())
        .isEqualTo("greeting");

    ObjectNode body = Json.json().createObjectNode();
    body.put("display_name", "from a version");
    body.putObject("pipeline_version_reference").put("pipeline_id", pipelineId);
    body.putObject("runtime_config").putObject("parameters").put("text", "again");
    Response created = post("/apis/v2beta1/runs", body);
    assertThat(created.status()).as(created.text()).isEqualTo(200);
    JsonNode done = waitForRun(created.json().path("run_id").asText());
    assertThat(done.path("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(done.at("/pipeline_version_reference/pipeline_version_id").asText())
        .isEqualTo(versionId);

    // a second upload of the same name is refused; a version is added instead
    Response again =
        upload(
            "/apis/v2beta1/pipelines/upload?name=greeting",
            "g.yaml",
            GREETING.getBytes(StandardCharsets.UTF_8));
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.json().path("code").asInt()).isEqualTo(ApiError.ALREADY_EXISTS);
    Response v2 =
        upload(
            "/apis/v2beta1/pipelines/upload_version?pipelineid=" + pipelineId + "&name=v2",
            "g.yaml",
            GREETING.getBytes(StandardCharsets.UTF_8));
    assertThat(v2.status()).as(v2.text()).isEqualTo(200);
    assertThat(
            get("/apis/v2beta1/pipelines/" + pipelineId + "/versions")
                .json()
                .path("pipeline_versions"))
        .hasSize(2);
    Response keep = call("DELETE", "/apis/v2beta1/pipelines/" + pipelineId, null, TOKEN);
    assertThat(keep.status()).isEqualTo(400);
    assertThat(keep.json().path("message").asText()).contains("cascade=true");
    assertThat(
            call("DELETE", "/apis/v2beta1/pipelines/" + pipelineId + "?cascade=true", null, TOKEN)
                .status())
        .isEqualTo(200);
    Response gone = get("/apis/v2beta1/pipelines/" + pipelineId);
    assertThat(gone.status()).as(gone.text()).isEqualTo(404);
  }

  @Test
  void bad_requests_get_kfps_error_body_naming_the_field() throws Exception {
    Response anonymous = call("GET", "/apis/v2beta1/runs?namespace=default", null, null);
    assertThat(anonymous.status()).isEqualTo(401);
    assertThat(anonymous.json().path("code").asInt()).isEqualTo(ApiError.UNAUTHENTICATED);
    assertThat(call("GET", "/apis/v2beta1/runs", null, "wrong").status()).isEqualTo(401);

    Response missing = get("/apis/v2beta1/runs/no-such-run");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().path("code").asInt()).isEqualTo(ApiError.NOT_FOUND);
    assertThat(missing.json().path("message").asText()).contains("no-such-run");

    Response broken =
        upload(
            "/apis/v2beta1/pipelines/upload",
            "broken.yaml",
            "root: [unclosed".getBytes(StandardCharsets.UTF_8));
    assertThat(broken.status()).isEqualTo(400);
    assertThat(broken.json().path("code").asInt()).isEqualTo(ApiError.INVALID_ARGUMENT);

    // an oversized upload is refused with 413 on its headers, before any of the body is read
    try (java.net.Socket socket =
        new java.net.Socket("127.0.0.1", URI.create(keel.url()).getPort())) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              ("POST /apis/v2beta1/pipelines/upload HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      + "Authorization: Bearer "
                      + TOKEN
                      + "\r\nContent-Type: multipart/form-data; boundary=x\r\n"
                      + "Content-Length: "
                      + (34 << 20)
                      + "\r\n\r\n")
                  .getBytes(StandardCharsets.UTF_8));
      socket.getOutputStream().flush();
      // the answer, read up to the end of its JSON body (the server may keep the line open)
      StringBuilder answer = new StringBuilder();
      var in = socket.getInputStream();
      byte[] buf = new byte[4096];
      for (int n; answer.indexOf("]}") < 0 && (n = in.read(buf)) > 0; ) {
        answer.append(new String(buf, 0, n, StandardCharsets.UTF_8));
      }
      assertThat(answer).startsWith("HTTP/1.1 413").contains("\"code\":8").contains("at most");
    }

    Response cycle =
        upload(
            "/apis/v2beta1/pipelines/upload",
            "cycle.yaml",
            GREETING
                .replace("componentRef: {name: comp-say}", "componentRef: {name: comp-nope}")
                .getBytes(StandardCharsets.UTF_8));
    assertThat(cycle.status()).isEqualTo(400);
    assertThat(cycle.json().at("/details/0/field_violations/0/field").asText())
        .isEqualTo("uploadfile.root.dag.tasks.say.componentRef.name");

    ObjectNode unknownField = Json.json().createObjectNode();
    unknownField.set("pipeline_spec", yamlTree(GREETING));
    unknownField.put("colour", "blue");
    Response unknown = post("/apis/v2beta1/runs", unknownField);
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.json().at("/details/0/field_violations/0/field").asText())
        .isEqualTo("colour");

    ObjectNode wrongType = Json.json().createObjectNode();
    wrongType.set("pipeline_spec", yamlTree(GREETING));
    wrongType
        .putObject("runtime_config")
        .putObject("parameters")
        .put("text", "x")
        .put("times", "many");
    Response typed = post("/apis/v2beta1/runs", wrongType);
    assertThat(typed.status()).isEqualTo(400);
    assertThat(typed.json().at("/details/0/field_violations/0/field").asText())
        .isEqualTo("runtime_config.parameters.times");

    Response badFilter =
        get(
            "/apis/v2beta1/runs?namespace=default&filter="
                + q(
                    "{\"predicates\":[{\"key\":\"colour\",\"operation\":\"EQUALS\",\"string_value\":\"x\"}]}"));
    assertThat(badFilter.status()).isEqualTo(400);
    assertThat(badFilter.json().at("/details/0/field_violations/0/field").asText())
        .isEqualTo("filter.predicates[0].key");
    assertThat(get("/apis/v2beta1/runs?namespace=default&page_token=garbage").status())
        .isEqualTo(400);
    Response badSort = get("/apis/v2beta1/runs?namespace=default&sort_by=colour");
    assertThat(badSort.status()).isEqualTo(400);
    assertThat(badSort.json().at("/details/0/field_violations/0/field").asText())
        .isEqualTo("sort_by");
    assertThat(get("/apis/v2beta1/nothing-here").json().path("code").asInt())
        .isEqualTo(ApiError.NOT_FOUND);
  }

  @Test
  void runs_are_terminated_archived_filtered_and_deleted() throws Exception {
    String sleeper =
        GREETING.replace(
            "command: [echo, \"{{$.inputs.parameters['text']}}\", \"{{$.inputs.parameters['times']}}\"]",
            "command: [sleep, \"30\"]");
    assertThat(sleeper).contains("command: [sleep");
    ObjectNode body = Json.json().createObjectNode();
    body.set("pipeline_spec", yamlTree(sleeper));
    body.putObject("runtime_config").putObject("parameters").put("text", "zz");
    String runId = post("/apis/v2beta1/runs", body).json().path("run_id").asText();
    Response del = call("DELETE", "/apis/v2beta1/runs/" + runId, null, TOKEN);
    assertThat(del.status()).isEqualTo(400);
    Response term = post("/apis/v2beta1/runs/" + runId + ":terminate", null);
    assertThat(term.status()).as(term.text()).isEqualTo(200);
    Instant deadline = Instant.now().plusSeconds(20);
    String state = "";
    while (Instant.now().isBefore(deadline) && !state.equals("CANCELED")) {
      state = get("/apis/v2beta1/runs/" + runId).json().path("state").asText();
      Thread.sleep(100);
    }
    assertThat(state).isEqualTo("CANCELED");

    assertThat(post("/apis/v2beta1/runs/" + runId + ":archive", null).status()).isEqualTo(200);
    String available =
        "{\"predicates\":[{\"key\":\"storage_state\",\"operation\":\"NOT_EQUALS\",\"string_value\":\"ARCHIVED\"}]}";
    assertThat(
            get("/apis/v2beta1/runs?namespace=default&filter=" + q(available)).json().path("runs"))
        .isEmpty();
    assertThat(post("/apis/v2beta1/runs/" + runId + ":unarchive", null).status()).isEqualTo(200);
    assertThat(
            get("/apis/v2beta1/runs?namespace=default&filter=" + q(available)).json().path("runs"))
        .hasSize(1);
    assertThat(post("/apis/v2beta1/runs/" + runId + ":fly", null).status()).isEqualTo(404);
    assertThat(call("DELETE", "/apis/v2beta1/runs/" + runId, null, TOKEN).status()).isEqualTo(200);
    assertThat(get("/apis/v2beta1/runs/" + runId).status()).isEqualTo(404);
  }

  @Test
  void built_in_users_see_only_the_namespaces_they_have_a_role_in() throws Exception {
    Access access = keel.access();
    keel.restart(
        () ->
            KeelServer.builder(
                    keel.store(), keel.engine(), Authenticator.users(access, Clock.systemUTC()))
                .port(0)
                .access(access)
                .start());
    access.addUser("alice", "correct horse".toCharArray(), false);
    access.addUser("bob", "correct horse".toCharArray(), false);
    access.createProfile("team-a", "alice", Map.of());
    String alice = access.createToken("alice", "t").token();
    String bob = access.createToken("bob", "t").token();

    Response made =
        call(
            "POST",
            "/apis/v2beta1/experiments",
            Json.write(Map.of("display_name", "e1", "namespace", "team-a")),
            alice);
    assertThat(made.status()).as(made.text()).isEqualTo(200);
    Response denied = call("GET", "/apis/v2beta1/runs?namespace=team-a", null, bob);
    assertThat(denied.status()).isEqualTo(403);
    assertThat(denied.json().path("code").asInt()).isEqualTo(ApiError.PERMISSION_DENIED);
    assertThat(denied.json().path("message").asText()).contains("bob").contains("team-a");
    assertThat(
            call(
                    "GET",
                    "/apis/v2beta1/experiments/" + made.json().path("experiment_id").asText(),
                    null,
                    bob)
                .status())
        .isEqualTo(403);

    access.addContributor(dev.keel.access.Principal.user("alice"), "team-a", "bob", Role.VIEW);
    assertThat(call("GET", "/apis/v2beta1/runs?namespace=team-a", null, bob).status())
        .isEqualTo(200);
    Response viewerWrites =
        call(
            "POST",
            "/apis/v2beta1/experiments",
            Json.write(Map.of("display_name", "e2", "namespace", "team-a")),
            bob);
    assertThat(viewerWrites.status()).isEqualTo(403);
    // without a namespace a non-admin cannot list every run
    assertThat(call("GET", "/apis/v2beta1/runs", null, bob).status()).isEqualTo(400);
  }

  @Test
  void the_token_url_starts_a_browser_session_that_needs_the_csrf_header_to_write()
      throws Exception {
    HttpClient browser =
        HttpClient.newBuilder().cookieHandler(new java.net.CookieManager()).build();
    HttpResponse<String> first =
        browser.send(
            HttpRequest.newBuilder(URI.create(keel.server().loginUrl())).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(first.statusCode()).isIn(200, 302);
    HttpResponse<String> home =
        browser.send(
            HttpRequest.newBuilder(URI.create(keel.url() + "/")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(home.statusCode()).isEqualTo(200);
    assertThat(home.body()).contains("Signed in as keel");
    HttpResponse<String> forged =
        browser.send(
            HttpRequest.newBuilder(URI.create(keel.url() + "/apis/v2beta1/experiments"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"display_name\":\"x\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(forged.statusCode()).isEqualTo(403);
    assertThat(forged.body()).contains("X-Keel-CSRF");
    String csrf =
        ((java.net.CookieManager) browser.cookieHandler().orElseThrow())
            .getCookieStore().getCookies().stream()
                .filter(c -> c.getName().equals(Authenticator.CSRF_COOKIE))
                .findFirst()
                .orElseThrow()
                .getValue();
    HttpResponse<String> ok =
        browser.send(
            HttpRequest.newBuilder(URI.create(keel.url() + "/apis/v2beta1/experiments"))
                .header(Authenticator.CSRF_HEADER, csrf)
                .POST(HttpRequest.BodyPublishers.ofString("{\"display_name\":\"x\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
  }

  @Test
  void an_uploaded_archive_is_unpacked() throws Exception {
    ByteArrayOutputStream zip = new ByteArrayOutputStream();
    try (var z = new java.util.zip.ZipOutputStream(zip)) {
      z.putNextEntry(new java.util.zip.ZipEntry("pipeline.yaml"));
      z.write(GREETING.getBytes(StandardCharsets.UTF_8));
      z.closeEntry();
    }
    Response up = upload("/apis/v2beta1/pipelines/upload?name=zipped", "p.zip", zip.toByteArray());
    assertThat(up.status()).as(up.text()).isEqualTo(200);
    Path tgz = dir.resolve("p.tar.gz");
    Path src = dir.resolve("src");
    Files.createDirectories(src);
    Files.writeString(src.resolve("pipeline.yaml"), GREETING);
    Process tar =
        new ProcessBuilder("tar", "-czf", tgz.toString(), "-C", src.toString(), "pipeline.yaml")
            .start();
    assertThat(tar.waitFor()).isZero();
    Response up2 =
        upload("/apis/v2beta1/pipelines/upload?name=tarred", "p.tar.gz", Files.readAllBytes(tgz));
    assertThat(up2.status()).as(up2.text()).isEqualTo(200);
  }

  @Test
  void create_recurring_run_then_it_fires_when_its_time_comes() throws Exception {
    // kfp.Client.create_recurring_run(experiment_id, job_name, cron_expression, params, ...)
    String experimentId =
        post("/apis/v2beta1/experiments", Map.of("display_name", "nightly", "namespace", "default"))
            .json()
            .path("experiment_id")
            .asText();
    ObjectNode body = Json.json().createObjectNode();
    body.put("display_name", "every hour");
    body.put("description", "");
    body.set("pipeline_spec", yamlTree(GREETING));
    body.putObject("runtime_config").putObject("parameters").put("text", "tick [[Index]]");
    body.putNull("service_account");
    body.put("max_concurrency", "1");
    body.putObject("trigger").putObject("cron_schedule").put("cron", "0 0 * * * *");
    body.put("mode", "ENABLE");
    body.put("no_catchup", false);
    body.put("experiment_id", experimentId);
    Response created = post("/apis/v2beta1/recurringruns", body);
    assertThat(created.status()).as(created.text()).isEqualTo(200);
    String id = created.json().path("recurring_run_id").asText();
    assertThat(created.json().path("status").asText()).isEqualTo("ENABLED");
    assertThat(created.json().at("/trigger/cron_schedule/cron").asText()).isEqualTo("0 0 * * * *");

    Response list = get("/apis/v2beta1/recurringruns?experiment_id=" + experimentId);
    assertThat(list.json().path("recurringRuns").findValuesAsText("recurring_run_id"))
        .containsExactly(id);

    Instant created_at = Instant.parse(created.json().path("created_at").asText());
    keel.server().scheduler().tick(created_at.plusSeconds(3600));
    Response runs = get("/apis/v2beta1/runs?experiment_id=" + experimentId);
    assertThat(runs.json().path("runs")).hasSize(1);
    JsonNode run = waitForRun(runs.json().path("runs").get(0).path("run_id").asText());
    assertThat(run.path("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(run.path("recurring_run_id").asText()).isEqualTo(id);
    assertThat(run.at("/runtime_config/parameters/text").asText()).isEqualTo("tick 1");

    assertThat(post("/apis/v2beta1/recurringruns/" + id + ":disable", null).status())
        .isEqualTo(200);
    assertThat(get("/apis/v2beta1/recurringruns/" + id).json().path("status").asText())
        .isEqualTo("DISABLED");
    keel.server().scheduler().tick(created_at.plusSeconds(5 * 3600));
    assertThat(get("/apis/v2beta1/runs?experiment_id=" + experimentId).json().path("runs"))
        .hasSize(1);
    assertThat(post("/apis/v2beta1/recurringruns/" + id + ":enable", null).status()).isEqualTo(200);
    assertThat(call("DELETE", "/apis/v2beta1/recurringruns/" + id, null, TOKEN).status())
        .isEqualTo(200);
    assertThat(get("/apis/v2beta1/recurringruns/" + id).status()).isEqualTo(404);

    ObjectNode bad = body.deepCopy();
    ((ObjectNode) bad.get("trigger")).putObject("cron_schedule").put("cron", "*/5 * * * *");
    Response refused = post("/apis/v2beta1/recurringruns", bad);
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.json().at("/details/0/field_violations/0/field").asText())
        .isEqualTo("trigger.cron_schedule.cron");
  }

  @Test
  void runs_list_sorted_by_any_kfp_field_page_by_page() throws Exception {
    for (String name : new String[] {"charlie", "alpha", "bravo"}) {
      ObjectNode body = Json.json().createObjectNode();
      body.put("display_name", name);
      body.set("pipeline_spec", yamlTree(GREETING));
      body.putObject("runtime_config").putObject("parameters").put("text", name);
      waitForRun(post("/apis/v2beta1/runs", body).json().path("run_id").asText());
    }
    java.util.List<String> names = new java.util.ArrayList<>();
    String token = "";
    do {
      JsonNode page =
          get("/apis/v2beta1/runs?namespace=default&page_size=2&sort_by="
                  + q("display_name asc")
                  + "&page_token="
                  + token)
              .json();
      page.path("runs").forEach(r -> names.add(r.path("display_name").asText()));
      token = page.path("next_page_token").asText();
    } while (!token.isEmpty());
    assertThat(names).containsExactly("alpha", "bravo", "charlie");
    JsonNode desc = get("/apis/v2beta1/runs?namespace=default&sort_by=" + q("name desc")).json();
    assertThat(desc.path("runs").get(0).path("display_name").asText()).isEqualTo("charlie");

    Response created =
        post(
            "/apis/v2beta1/pipelines",
            Map.of("display_name", "empty", "description", "no versions yet"));
    assertThat(created.status()).as(created.text()).isEqualTo(200);
    assertThat(
            get("/apis/v2beta1/pipelines/" + created.json().path("pipeline_id").asText())
                .json()
                .path("description")
                .asText())
        .isEqualTo("no versions yet");
  }

  @Test
  void prometheus_metrics_count_requests_by_route_for_signed_in_callers() throws Exception {
    get("/apis/v2beta1/runs?namespace=default");
    get("/apis/v2beta1/runs/no-such-run");
    assertThat(call("GET", "/metrics", null, null).status()).isEqualTo(401);
    Response metrics = get("/metrics");
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.text())
        .contains(
            "http_server_requests_seconds_count{method=\"GET\",route=\"/apis/v2beta1/runs\",status=\"200\"}")
        .contains("route=\"/apis/v2beta1/runs/{run_id}\",status=\"404\"")
        .contains("route=\"unmatched\",status=\"401\"")
        .contains("jvm_memory_used_bytes");
  }
}
