package dev.keel.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import dev.keel.core.Json;
import dev.keel.pipelines.PipelineEngine;
import dev.keel.pipelines.RunRequest;
import dev.keel.pipelines.spec.PipelineDocument;
import dev.keel.pipelines.spec.PipelineSpecReader;
import dev.keel.pipelines.spec.PipelineSpecWriter;
import dev.keel.store.ArtifactRecord;
import dev.keel.store.PipelineRecord;
import dev.keel.store.PipelineVersionRecord;
import dev.keel.store.RunRecord;
import dev.keel.store.Store;
import dev.keel.store.TaskRecord;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Artifacts, comparing runs and the run form over real HTTP with built-in users: what a real
 * pipeline's metrics look like, the sandbox HTML and Markdown artifacts are served in, files
 * outside a run's artifact folder refused, other namespaces refused, and typed parameters checked
 * field by field.
 */
class ArtifactPagesTest extends DashboardFixture {

  /**
   * A pipeline whose shell component writes a Markdown and an HTML file to its artifacts and
   * reports metrics and classification metrics through KFP's executor output file.
   */
  static final String DEMO =
      """
      pipelineInfo: {name: metrics-demo}
      schemaVersion: 2.1.0
      root:
        inputDefinitions:
          parameters:
            lr: {parameterType: NUMBER_DOUBLE, defaultValue: 0.1, description: learning rate}
            epochs: {parameterType: NUMBER_INTEGER, defaultValue: 3}
            note: {parameterType: STRING, defaultValue: hello}
        dag:
          tasks:
            train:
              componentRef: {name: comp-train}
              cachingOptions: {}
              inputs:
                parameters:
                  lr: {componentInputParameter: lr}
      components:
        comp-train:
          executorLabel: exec-train
          inputDefinitions:
            parameters:
              lr: {parameterType: NUMBER_DOUBLE}
          outputDefinitions:
            artifacts:
              metrics: {artifactType: {schemaTitle: system.Metrics, schemaVersion: 0.0.1}}
              classes: {artifactType: {schemaTitle: system.ClassificationMetrics, schemaVersion: 0.0.1}}
              report: {artifactType: {schemaTitle: system.HTML, schemaVersion: 0.0.1}}
              notes: {artifactType: {schemaTitle: system.Markdown, schemaVersion: 0.0.1}}
      deploymentSpec:
        executors:
          exec-train:
            container:
              image: alpine
              command:
                - sh
                - -c
                - |
                  printf '<h1>Report</h1><script>parent.document.title="pwned"</script>' > "$2"
                  printf '# Notes\\n\\nlr was %s\\n\\n<script>alert(1)</script>\\n\\n[bad](javascript:alert(2))\\n' "$0" > "$3"
                  printf '{"artifacts": {"metrics": {"artifacts": [{"name": "metrics", "metadata": {"accuracy": 0.9, "lr": %s}}]}, "classes": {"artifacts": [{"name": "classes", "metadata": {"confusionMatrix": {"annotationSpecs": [{"displayName": "cat"}, {"displayName": "dog"}, {"displayName": "bird"}], "rows": [{"row": [50, 3, 1]}, {"row": [4, 40, 6]}, {"row": [0, 2, 44]}]}, "confidenceMetrics": [{"confidenceThreshold": 0.9, "falsePositiveRate": 0.0, "recall": 0.4}, {"confidenceThreshold": 0.5, "falsePositiveRate": 0.2, "recall": 0.8}, {"confidenceThreshold": 0.1, "falsePositiveRate": %s, "recall": 1.0}]}}]}}}' "$0" "$0" > "$1"
                - "{{$.inputs.parameters['lr']}}"
                - "{{$.outputs.output_file}}"
                - "{{$.outputs.artifacts['report'].path}}"
                - "{{$.outputs.artifacts['notes'].path}}"
      """;

  static PipelineDocument demo() {
    return PipelineSpecReader.readText(DEMO);
  }

  /** Runs the demo pipeline to its end with {@code lr}. */
  static String runDemo(PipelineEngine engine, String namespace, String name, double lr)
      throws Exception {
    Map<String, JsonNode> params = new LinkedHashMap<>();
    params.put("lr", DoubleNode.valueOf(lr));
    String id = engine.submit(new RunRequest(demo(), params, namespace, name, null, null));
    RunRecord r = engine.await(id);
    assertThat(r.state()).as(r.error()).isEqualTo("SUCCEEDED");
    return id;
  }

  String runDemo(String namespace, String name, double lr) throws Exception {
    return runDemo(engine, namespace, name, lr);
  }

  static ArtifactRecord artifact(Store store, String runId, String name) {
    return store.artifacts().listByRun(runId).stream()
        .filter(a -> a.name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  /** The demo pipeline stored as a pipeline with one version in {@code namespace}. */
  static String storeDemoPipeline(Store store, String namespace) {
    String pid = "pl-" + System.nanoTime();
    Instant now = Instant.now();
    store
        .pipelines()
        .insert(new PipelineRecord(pid, namespace, "metrics-demo", "metrics-demo", null, now));
    store
        .versions()
        .insert(
            new PipelineVersionRecord(
                pid + "-v1",
                pid,
                "v1",
                "v1",
                null,
                Json.write(PipelineSpecWriter.toTree(demo().spec())),
                null,
                now));
    return pid;
  }

  @Test
  void a_real_pipeline_s_metrics_show_in_the_node_panel_and_on_the_artifact_page()
      throws Exception {
    String id = runDemo("team-a", "demo", 0.25);
    Browser alice = new Browser().signIn("alice");

    HttpResponse<String> panel = alice.get("/runs/" + id + "/node?task=train");
    assertThat(panel.statusCode()).isEqualTo(200);
    String p = panel.body();
    // system.Metrics: a table of its scalars, as the component reported them
    assertThat(p).contains("<table class=\"list metrics\">");
    assertThat(p).containsPattern("<td>accuracy</td><td class=\"num\">0.9</td>");
    assertThat(p).containsPattern("<td>lr</td><td class=\"num\">0.25</td>");
    // system.ClassificationMetrics: the confusion matrix, labelled, and the ROC curve's points
    assertThat(p).contains("<table class=\"confusion\">");
    assertThat(cell(p, "cat", "cat")).isEqualTo("50");
    assertThat(cell(p, "dog", "bird")).isEqualTo("6");
    assertThat(cell(p, "bird", "dog")).isEqualTo("2");
    assertThat(p).contains("<th scope=\"col\">bird</th>");
    assertThat(p)
        .contains("data-fpr=\"0\" data-tpr=\"0.4\"")
        .contains("data-fpr=\"0.2\" data-tpr=\"0.8\"")
        .contains("data-fpr=\"0.25\" data-tpr=\"1\"");
    assertThat(p).contains("threshold 0.5");
    // HTML and Markdown: only inside sandboxed frames, never inline
    ArtifactRecord html = artifact(store, id, "report");
    ArtifactRecord md = artifact(store, id, "notes");
    assertThat(p)
        .contains(
            "<iframe class=\"artifact-frame\" sandbox=\"\" referrerpolicy=\"no-referrer\" src=\"/artifacts/"
                + html.id()
                + "/view\"")
        .contains("src=\"/artifacts/" + md.id() + "/view\"")
        .doesNotContain("allow-scripts")
        .doesNotContain("allow-same-origin")
        .doesNotContain("<h1>Report</h1>")
        .doesNotContain("parent.document");
    assertThat(iframes(p)).hasSize(2).allMatch(f -> f.contains("sandbox=\"\""));

    // the artifact's own page
    ArtifactRecord metrics = artifact(store, id, "metrics");
    HttpResponse<String> page = alice.get("/artifacts/" + metrics.id());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<h1>metrics</h1>").contains("system.Metrics").contains("0.9");
    HttpResponse<String> htmlPage = alice.get("/artifacts/" + html.id());
    assertThat(htmlPage.body()).doesNotContain("<h1>Report</h1>").doesNotContain("parent.document");
    assertThat(iframes(htmlPage.body()))
        .singleElement()
        .satisfies(
            f ->
                assertThat(f)
                    .contains("sandbox=\"\"")
                    .contains("/artifacts/" + html.id() + "/view")
                    .doesNotContain("allow-"));

    // the frame's content carries the sandbox itself, so opened on its own it runs nothing
    HttpResponse<String> view = alice.get("/artifacts/" + html.id() + "/view");
    assertThat(view.statusCode()).isEqualTo(200);
    assertThat(view.headers().firstValue("Content-Security-Policy"))
        .hasValue("sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    assertThat(view.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(view.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
    assertThat(view.body()).startsWith("<h1>Report</h1>");

    // Markdown is rendered on the server, its raw HTML escaped and javascript: links dropped
    HttpResponse<String> mdView = alice.get("/artifacts/" + md.id() + "/view");
    assertThat(mdView.headers().firstValue("Content-Security-Policy"))
        .hasValue(RunPages.SANDBOX_CSP);
    assertThat(mdView.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(mdView.body())
        .contains("<h1>Notes</h1>")
        .contains("<p>lr was 0.25</p>")
        .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
        .doesNotContain("<script")
        .doesNotContain("javascript:");

    // a file can be downloaded; an artifact with none says so
    HttpResponse<String> download = alice.get("/artifacts/" + html.id() + "/download");
    assertThat(download.statusCode()).isEqualTo(200);
    assertThat(download.headers().firstValue("Content-Disposition"))
        .hasValue("attachment; filename=\"report\"");
    assertThat(download.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
    assertThat(download.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(alice.get("/artifacts/" + metrics.id() + "/download").statusCode()).isEqualTo(404);

    // bob may not see any of it
    Browser bob = new Browser().signIn("bob");
    for (String path :
        List.of(
            "/artifacts/" + metrics.id(),
            "/artifacts/" + html.id() + "/view",
            "/artifacts/" + html.id() + "/download")) {
      HttpResponse<String> r = bob.get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(403);
      assertThat(r.body()).as(path).doesNotContain("Report").doesNotContain("accuracy");
    }
  }

  @Test
  void files_outside_the_run_s_artifact_folder_are_never_served() throws Exception {
    String id = runDemo("team-a", "demo", 0.1);
    RunRecord run = store.runs().get(id).orElseThrow();
    TaskRecord train =
        store.tasks().listByRun(id).stream()
            .filter(t -> t.path().equals("train"))
            .findFirst()
            .orElseThrow();
    Path root = engine.artifactDir(run);
    assertThat(root.resolve("train").resolve("report")).isRegularFile();
    Path secret = dir.resolve("secret.html");
    Files.writeString(secret, "<p>TOP SECRET</p>");
    Path sibling = Path.of(root + "-evil");
    Files.createDirectories(sibling);
    Files.writeString(sibling.resolve("x.html"), "<p>TOP SECRET</p>");
    Path link = root.resolve("train").resolve("link.html");
    Files.createSymbolicLink(link, secret);
    String other = runDemo("team-a", "other", 0.2);
    String[] uris = {
      "file:///etc/passwd",
      secret.toUri().toString(),
      "file://" + root + "/train/../../../../secret.html",
      sibling.resolve("x.html").toUri().toString(),
      link.toUri().toString(),
      artifact(store, other, "report").uri(), // another run's file
      "s3://bucket/report.html",
      "file:relative/x"
    };
    Browser alice = new Browser().signIn("alice");
    for (int i = 0; i < uris.length; i++) {
      String aid = "crafted-" + i;
      store
          .artifacts()
          .insert(
              new ArtifactRecord(
                  aid, id, train.id(), "crafted" + i, uris[i], "system.HTML", "{}", Instant.now()));
      for (String suffix : new String[] {"/view", "/download"}) {
        HttpResponse<String> r = alice.get("/artifacts/" + aid + suffix);
        assertThat(r.statusCode()).as(uris[i] + suffix).isEqualTo(404);
        assertThat(r.body()).as(uris[i]).doesNotContain("TOP SECRET").doesNotContain("root:");
      }
      HttpResponse<String> page = alice.get("/artifacts/" + aid);
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body()).doesNotContain("<iframe").contains("Cannot show it");
    }
    assertThat(alice.get("/artifacts/crafted-1").body())
        .contains("not under its run's artifact folder");
    // the run's own file is still served
    assertThat(alice.get("/artifacts/" + artifact(store, id, "report").id() + "/view").statusCode())
        .isEqualTo(200);
    assertThat(alice.get("/artifacts/no-such-artifact").statusCode()).isEqualTo(404);
  }

  @Test
  void compare_shows_parameters_metrics_and_overlaid_roc_curves_of_readable_runs_only()
      throws Exception {
    String a = runDemo("team-a", "slow <script>alert('x')</script>", 0.1);
    String b = runDemo("team-a", "fast", 0.5);
    String bobs = runDemo("team-b", "bobs-secret-run", 0.3);
    Browser alice = new Browser().signIn("alice");

    HttpResponse<String> list = alice.get("/runs?namespace=team-a");
    assertThat(list.body())
        .contains("<form id=\"compare-form\" method=\"get\" action=\"/runs/compare\">")
        .contains("name=\"ids\" value=\"" + a + "\"")
        .contains("name=\"ids\" value=\"" + b + "\"");

    for (String query : List.of("ids=" + a + "," + b, "ids=" + a + "&ids=" + b)) {
      HttpResponse<String> r = alice.get("/runs/compare?" + query);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      String body = r.body();
      assertThat(body)
          .contains("<h1>Compare runs</h1>")
          .doesNotContain("<script>alert")
          .contains("slow &lt;script&gt;alert(");
      String params = section(body, "compare-parameters");
      assertThat(params)
          .containsPattern(
              "<tr class=\"differs\">\\s*<th scope=\"row\">lr</th>\\s*<td class=\"num\">0.1</td><td class=\"num\">0.5</td>")
          .containsPattern(
              "<th scope=\"row\">epochs</th>\\s*<td class=\"num\">3</td><td class=\"num\">3</td>");
      String metrics = section(body, "compare-metrics");
      assertThat(metrics)
          .containsPattern(
              "accuracy<br><span class=\"muted\">train · metrics</span></th>\\s*<td class=\"num\">0.9</td><td class=\"num\">0.9</td>")
          .containsPattern("<td class=\"num\">0.1</td><td class=\"num\">0.5</td>");
      String roc = body.substring(body.indexOf("id=\"compare-roc\""));
      assertThat(roc.split("<g class=\"curve\"", -1)).hasSize(3);
      assertThat(roc).contains("data-fpr=\"0.5\" data-tpr=\"1\"").contains("roc-legend");
      assertThat(body).contains("<h2>Confusion matrices</h2>");
    }

    // one run she may not read is enough to refuse the page, saying nothing of it
    HttpResponse<String> refused = alice.get("/runs/compare?ids=" + a + "," + bobs);
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.body()).contains("You may not see this").doesNotContain("bobs-secret-run");
    assertThat(alice.get("/runs/compare?ids=").statusCode()).isEqualTo(400);
    assertThat(alice.get("/runs/compare?ids=nope").statusCode()).isEqualTo(404);
    // the run page itself is unaffected by the /runs/compare route
    assertThat(alice.get("/runs/" + a).statusCode()).isEqualTo(200);
  }

  @Test
  void the_run_form_types_parameters_and_shows_errors_next_to_the_fields() throws Exception {
    String pid = storeDemoPipeline(store, "team-a");
    Browser alice = new Browser().signIn("alice");

    HttpResponse<String> pipelinePage = alice.get("/pipelines/" + pid + "?namespace=team-a");
    assertThat(pipelinePage.body())
        .contains("id=\"create-run\"")
        .contains("/new-run?namespace=team-a");

    HttpResponse<String> form = alice.get("/pipelines/" + pid + "/new-run?namespace=team-a");
    assertThat(form.statusCode()).isEqualTo(200);
    assertThat(form.body())
        .contains("<form id=\"run-form\"")
        .contains("hx-post=\"/pipelines/" + pid + "/new-run\"")
        .containsPattern("lr <span class=\"muted type\">NUMBER_DOUBLE</span>")
        .containsPattern("epochs <span class=\"muted type\">NUMBER_INTEGER</span>")
        .contains("name=\"p.lr\" value=\"0.1\"")
        .contains("name=\"p.note\" value=\"hello\"")
        .contains("Default: <code>3</code>")
        .contains("learning rate");

    Map<String, String> bad = new LinkedHashMap<>();
    bad.put("namespace", "team-a");
    bad.put("version", pid + "-v1");
    bad.put("display_name", "typed");
    bad.put("p.lr", "fast");
    bad.put("p.epochs", "2.5");
    bad.put("p.note", "<script>alert('p')</script>");
    HttpResponse<String> refused = alice.post("/pipelines/" + pid + "/new-run", bad, true);
    assertThat(refused.statusCode()).isEqualTo(400);
    String body = refused.body();
    assertThat(body)
        .startsWith("<form id=\"run-form\"")
        .containsPattern(
            "data-param=\"lr\">[\\s\\S]*?<p class=\"field-error\" id=\"param-1-error\">'fast' is not a number</p>")
        .containsPattern(
            "data-param=\"epochs\">[\\s\\S]*?<p class=\"field-error\" id=\"param-0-error\">'2.5' is not an integer</p>")
        .contains("value=\"&lt;script>alert(&#39;p&#39;)&lt;/script>\"")
        .doesNotContain("<script>alert")
        .doesNotContain("Exception")
        .doesNotContain("at dev.keel");
    assertThat(body.split("class=\"field-error\"", -1)).hasSize(3);
    assertThat(store.runs().list("team-a", null, 10, "").items()).isEmpty();

    // without the CSRF header nothing starts
    Map<String, String> good = new LinkedHashMap<>(bad);
    good.put("p.lr", "0.5");
    good.put("p.epochs", "7");
    assertThat(alice.post("/pipelines/" + pid + "/new-run", good, false).statusCode())
        .isEqualTo(403);
    // bob may not start runs in alice's namespace, nor see the form
    Browser bob = new Browser().signIn("bob");
    assertThat(bob.get("/pipelines/" + pid + "/new-run?namespace=team-a").statusCode())
        .isEqualTo(403);
    assertThat(bob.post("/pipelines/" + pid + "/new-run", good, true).statusCode()).isEqualTo(403);

    HttpResponse<String> started = alice.post("/pipelines/" + pid + "/new-run", good, true);
    assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
    String location = started.headers().firstValue("HX-Redirect").orElseThrow();
    String runId = location.substring("/runs/".length());
    RunRecord run = engine.await(runId);
    assertThat(run.state()).as(run.error()).isEqualTo("SUCCEEDED");
    assertThat(run.displayName()).isEqualTo("typed");
    assertThat(run.pipelineVersionId()).isEqualTo(pid + "-v1");
    JsonNode params = Json.parse(run.runtimeConfig()).path("parameters");
    assertThat(params.path("lr").isDouble()).isTrue();
    assertThat(params.path("lr").asDouble()).isEqualTo(0.5);
    assertThat(params.path("epochs").isIntegralNumber()).isTrue();
    assertThat(params.path("epochs").asLong()).isEqualTo(7);
    assertThat(params.path("note").asText()).isEqualTo("<script>alert('p')</script>");
    assertThat(artifact(store, runId, "metrics").metadata()).contains("0.5");

    // the run page offers Clone and Archive, and escapes the parameter in the node panel
    HttpResponse<String> runPage = alice.get(location);
    assertThat(runPage.body())
        .contains("href=\"/runs/" + runId + "/clone\"")
        .contains("hx-post=\"/runs/" + runId + "/archive\"");

    // Clone opens the form filled in with the run's parameters
    HttpResponse<String> clone = alice.get("/runs/" + runId + "/clone");
    assertThat(clone.statusCode()).isEqualTo(200);
    assertThat(clone.body())
        .contains("value=\"Clone of typed\"")
        .contains("name=\"p.lr\" value=\"0.5\"")
        .contains("name=\"p.epochs\" value=\"7\"")
        .contains("value=\"&lt;script>alert(&#39;p&#39;)&lt;/script>\"")
        .doesNotContain("<script>alert")
        .contains("hx-post=\"/runs/" + runId + "/clone\"");
    Map<String, String> again = new LinkedHashMap<>();
    again.put("namespace", "team-a");
    again.put("display_name", "cloned");
    again.put("p.lr", "0.75");
    again.put("p.epochs", "7");
    again.put("p.note", "again");
    HttpResponse<String> cloned = alice.post("/runs/" + runId + "/clone", again, true);
    assertThat(cloned.statusCode()).as(cloned.body()).isEqualTo(200);
    String clonedId = cloned.headers().firstValue("HX-Redirect").orElseThrow().substring(6);
    RunRecord c = engine.await(clonedId);
    assertThat(c.state()).isEqualTo("SUCCEEDED");
    assertThat(Json.parse(c.runtimeConfig()).at("/parameters/lr").asDouble()).isEqualTo(0.75);
    assertThat(c.pipelineVersionId()).isEqualTo(pid + "-v1");
    assertThat(bob.get("/runs/" + runId + "/clone").statusCode()).isEqualTo(403);
    assertThat(bob.post("/runs/" + runId + "/clone", again, true).statusCode()).isEqualTo(403);

    // a viewer of team-a reads the run, its artifacts and the comparison, but starts nothing
    access.addContributor(
        new dev.keel.access.Principal("alice", false), "team-a", "bob", dev.keel.access.Role.VIEW);
    Browser viewer = new Browser().signIn("bob");
    assertThat(viewer.get(location).statusCode()).isEqualTo(200);
    assertThat(viewer.get(location).body())
        .doesNotContain("id=\"clone\"")
        .doesNotContain("/archive");
    assertThat(viewer.get("/artifacts/" + artifact(store, runId, "metrics").id()).statusCode())
        .isEqualTo(200);
    assertThat(viewer.get("/runs/compare?ids=" + runId + "," + clonedId).statusCode())
        .isEqualTo(200);
    assertThat(viewer.get("/runs/" + runId + "/clone").statusCode()).isEqualTo(403);
    assertThat(viewer.post("/runs/" + runId + "/clone", again, true).statusCode()).isEqualTo(403);
    assertThat(viewer.post("/runs/" + runId + "/archive", Map.of(), true).statusCode())
        .isEqualTo(403);
    access.removeContributor(new dev.keel.access.Principal("alice", false), "team-a", "bob");

    // Archive goes through the KFP API's code: it needs the header, and bob may not
    assertThat(alice.post("/runs/" + runId + "/archive", Map.of(), false).statusCode())
        .isEqualTo(403);
    assertThat(bob.post("/runs/" + runId + "/archive", Map.of(), true).statusCode()).isEqualTo(403);
    HttpResponse<String> archived = alice.post("/runs/" + runId + "/archive", Map.of(), true);
    assertThat(archived.statusCode()).isEqualTo(200);
    assertThat(store.runs().get(runId).orElseThrow().storageState()).isEqualTo("ARCHIVED");
    assertThat(alice.get(location).body())
        .contains("This run is archived.")
        .contains("hx-post=\"/runs/" + runId + "/unarchive\"");
    alice.post("/runs/" + runId + "/unarchive", Map.of(), true);
    assertThat(store.runs().get(runId).orElseThrow().storageState()).isEqualTo("AVAILABLE");
  }

  @Test
  void a_required_parameter_left_empty_is_an_error_on_its_field() throws Exception {
    String pid =
        storeDemoPipeline(store, "team-a"); // lr has a default; a copy without one is needed
    PipelineVersionRecord v = store.versions().get(pid + "-v1").orElseThrow();
    String spec = v.pipelineSpec().replace("\"defaultValue\":0.1,", "");
    assertThat(spec).isNotEqualTo(v.pipelineSpec());
    store
        .versions()
        .insert(
            new PipelineVersionRecord(
                pid + "-v2", pid, "v2", "v2", null, spec, null, Instant.now().plusSeconds(1)));
    Browser alice = new Browser().signIn("alice");
    HttpResponse<String> form =
        alice.get("/pipelines/" + pid + "/new-run?namespace=team-a&version=" + pid + "-v2");
    assertThat(form.body())
        .contains("NUMBER_DOUBLE, required")
        .contains("name=\"p.lr\" value=\"\"");
    HttpResponse<String> r =
        alice.post(
            "/pipelines/" + pid + "/new-run",
            Map.of("namespace", "team-a", "version", pid + "-v2", "p.lr", ""),
            true);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body())
        .contains("id=\"param-1-error\">give a value: it has no default</p>")
        .contains("name=\"p.note\" value=\"hello\"");
  }

  /** The text of the confusion-matrix cell for an actual and a predicted class. */
  static String cell(String html, String actual, String predicted) {
    Matcher m =
        Pattern.compile(
                "data-actual=\""
                    + actual
                    + "\" data-predicted=\""
                    + predicted
                    + "\"[^>]*>([^<]*)</td>")
            .matcher(html);
    assertThat(m.find()).as(actual + "/" + predicted).isTrue();
    return m.group(1);
  }

  static List<String> iframes(String html) {
    return Pattern.compile("<iframe[^>]*>").matcher(html).results().map(m -> m.group()).toList();
  }

  static String section(String html, String id) {
    int from = html.indexOf("id=\"" + id + "\"");
    assertThat(from).as(id).isPositive();
    return html.substring(from, html.indexOf("</table>", from));
  }
}
