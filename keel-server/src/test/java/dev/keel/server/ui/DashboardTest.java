package dev.keel.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.store.ResourceRecord;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The dashboard over real HTTP with built-in users: sign-in, the namespace checks every page makes
 * (as the API makes them), escaping, and actions that need the CSRF header.
 */
class DashboardTest extends DashboardFixture {
  String run(String namespace, String name) throws Exception {
    return run(conformance("hello_world.yaml"), namespace, name);
  }

  @Test
  void anonymous_pages_send_the_browser_to_the_login_form_and_back() throws Exception {
    Browser b = new Browser();
    HttpResponse<String> r = b.get("/runs?namespace=team-a");
    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(r.headers().firstValue("Location")).hasValue("/login?next=%2Fruns");

    HttpResponse<String> form = b.get("/login?next=%2Fruns");
    assertThat(form.statusCode()).isEqualTo(200);
    assertThat(form.body()).contains("<form method=\"post\" action=\"/login\">");

    HttpResponse<String> wrong =
        b.http.send(
            HttpRequest.newBuilder(URI.create(server.url() + "/login"))
                .header("Accept", "text/html")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=alice&password=nope"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.body()).contains("Wrong user name or password.");

    b.signIn("alice");
    HttpResponse<String> runs = b.get("/runs");
    assertThat(runs.statusCode()).isEqualTo(200);
    assertThat(runs.body()).contains("<h1>Runs</h1>").contains("team-a").doesNotContain("team-b");

    // the API still answers JSON, not pages
    HttpResponse<String> api = new Browser().get("/apis/v2beta1/runs?namespace=team-a");
    assertThat(api.statusCode()).isEqualTo(401);
    assertThat(api.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
  }

  @Test
  void a_login_never_sends_the_browser_off_this_server() {
    assertThat(Dashboard.safeNext("https://evil.example/")).isEqualTo("/");
    assertThat(Dashboard.safeNext("//evil.example/")).isEqualTo("/");
    assertThat(Dashboard.safeNext("/\\evil.example")).isEqualTo("/");
    assertThat(Dashboard.safeNext("/runs?namespace=a")).isEqualTo("/runs?namespace=a");
  }

  @Test
  void another_namespace_is_a_403_page_without_its_data() throws Exception {
    String secret = run("team-b", "bobs-secret-run");
    store
        .resources()
        .create(
            new ResourceRecord(
                "Experiment",
                "team-b",
                "bobs-tuning",
                "uid-1",
                null,
                1,
                "{\"apiVersion\":\"kubeflow.org/v1beta1\",\"kind\":\"Experiment\","
                    + "\"metadata\":{\"name\":\"bobs-tuning\",\"namespace\":\"team-b\"},"
                    + "\"spec\":{\"objective\":{\"type\":\"maximize\",\"objectiveMetricName\":\"acc\"}}}",
                Instant.now(),
                Instant.now()));
    Browser alice = new Browser().signIn("alice");
    for (String path :
        new String[] {
          "/?namespace=team-b",
          "/runs?namespace=team-b",
          "/runs/" + secret,
          "/runs/" + secret + "/node?task=echo",
          "/pipelines?namespace=team-b",
          "/experiments?namespace=team-b",
          "/experiments/team-b/bobs-tuning"
        }) {
      HttpResponse<String> r = alice.get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(403);
      assertThat(r.body())
          .as(path)
          .contains("You may not see this")
          .doesNotContain("bobs-secret-run")
          .doesNotContain("hello world");
    }
    // the live updates of bob's run say nothing either
    HttpResponse<String> events = alice.get("/runs/" + secret + "/events");
    assertThat(events.body()).doesNotContain("bobs-secret-run").doesNotContain("echo");
    // and the namespace selector offers only her own
    assertThat(alice.get("/").body()).contains("team-a").doesNotContain("team-b");
    // bob sees his run
    Browser bob = new Browser().signIn("bob");
    HttpResponse<String> his = bob.get("/runs/" + secret);
    assertThat(his.statusCode()).isEqualTo(200);
    assertThat(his.body()).contains("bobs-secret-run").contains("Succeeded");
    assertThat(bob.get("/experiments/team-b/bobs-tuning").body()).contains("bobs-tuning");
  }

  @Test
  void user_strings_are_escaped_everywhere() throws Exception {
    String id = run("team-a", "<script>alert('x')</script>");
    Browser alice = new Browser().signIn("alice");
    for (String path : new String[] {"/", "/runs", "/runs/" + id}) {
      String body = alice.get(path).body();
      assertThat(body)
          .as(path)
          .doesNotContain("<script>alert")
          .contains("&lt;script&gt;alert(")
          .contains("&lt;/script&gt;");
    }
  }

  @Test
  void run_actions_need_the_csrf_header_and_go_through_the_api_code() throws Exception {
    String id = run("team-a", "done already");
    Browser alice = new Browser().signIn("alice");
    HttpResponse<String> noHeader = alice.post("/runs/" + id + "/retry", "", false);
    assertThat(noHeader.statusCode()).isEqualTo(403);
    assertThat(noHeader.body()).contains("X-Keel-CSRF");
    // with it, the engine answers as it answers the API: a succeeded run is not retried
    HttpResponse<String> retry = alice.post("/runs/" + id + "/retry", "", true);
    assertThat(retry.statusCode()).isEqualTo(400);
    assertThat(retry.headers().firstValue("HX-Retarget")).hasValue("#flash");
    assertThat(retry.body()).contains("only FAILED or CANCELED runs can be retried");
    // bob may not touch alice's run
    Browser bob = new Browser().signIn("bob");
    assertThat(bob.post("/runs/" + id + "/terminate", "", true).statusCode()).isEqualTo(403);
  }

  @Test
  void the_node_panel_shows_the_task_log_escaped_in_pre() throws Exception {
    String id = run("team-a", "hello");
    Browser alice = new Browser().signIn("alice");
    HttpResponse<String> panel = alice.get("/runs/" + id + "/node?task=echo");
    assertThat(panel.statusCode()).isEqualTo(200);
    assertThat(panel.body()).contains("<pre class=\"log\">").contains("hello world");
    HttpResponse<String> page = alice.get("/runs/" + id);
    assertThat(page.body()).contains("data-node=\"echo\"").contains("state-succeeded");
  }

  @Test
  void static_files_are_public() throws Exception {
    Browser anyone = new Browser();
    for (String f : new String[] {"keel.css", "keel.js", "htmx.min.js", "sse.js"}) {
      HttpResponse<String> r = anyone.get(Dashboard.STATIC + f);
      assertThat(r.statusCode()).as(f).isEqualTo(200);
      assertThat(r.body()).as(f).isNotBlank();
    }
    assertThat(anyone.get(Dashboard.STATIC + "../keel.db").statusCode()).isEqualTo(404);
  }

  @Test
  void pipelines_are_uploaded_from_the_page_into_a_namespace_one_may_write() throws Exception {
    Browser alice = new Browser().signIn("alice");
    Browser bob = new Browser().signIn("bob");
    String yaml =
        """
        pipelineInfo: {name: echo}
        schemaVersion: 2.1.0
        components: {comp-echo: {executorLabel: exec-echo}}
        deploymentSpec: {executors: {exec-echo: {container: {image: alpine, command: [echo, hi]}}}}
        root: {dag: {tasks: {echo: {componentRef: {name: comp-echo}, taskInfo: {name: echo}}}}}
        """;
    HttpResponse<String> made = alice.upload("team-a", "echo.yaml", yaml, true);
    assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
    String location = made.headers().firstValue("HX-Redirect").orElseThrow();
    assertThat(location).startsWith("/pipelines/");
    assertThat(store.pipelines().list("team-a", 10, "").items())
        .extracting(dev.keel.store.PipelineRecord::name)
        .containsExactly("echo");
    assertThat(alice.get(location).body()).contains("<h1>echo</h1>");
    // into someone else's namespace, or without the CSRF header: refused, nothing stored
    assertThat(bob.upload("team-a", "echo.yaml", yaml, true).statusCode()).isEqualTo(403);
    assertThat(alice.upload("team-a", "echo.yaml", yaml, false).statusCode()).isEqualTo(403);
    assertThat(store.pipelines().list("team-a", 10, "").items()).hasSize(1);
    // a broken file comes back next to the form, escaped
    HttpResponse<String> broken =
        alice.upload("team-a", "bad.yaml", "<script>alert(1)</script>: [", true);
    assertThat(broken.statusCode()).isEqualTo(400);
    assertThat(broken.body()).contains("field-error").doesNotContain("<script>alert(1)");
  }
}
