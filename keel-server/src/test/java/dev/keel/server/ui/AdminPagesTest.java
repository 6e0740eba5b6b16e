package dev.keel.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.access.Principal;
import dev.keel.access.Role;
import dev.keel.core.Ids;
import dev.keel.core.Json;
import dev.keel.pipelines.RunRequest;
import dev.keel.pipelines.spec.PipelineDocument;
import dev.keel.pipelines.spec.PipelineSpecWriter;
import dev.keel.store.ContributorRecord;
import dev.keel.store.ExperimentRecord;
import dev.keel.store.PipelineRecord;
import dev.keel.store.PipelineVersionRecord;
import dev.keel.store.RecurringRunRecord;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The KFP experiment, recurring run and "Manage contributors" pages over real HTTP with built-in
 * users: who may see and change what (as the API and KFAM decide), errors next to their fields, the
 * CSRF header on every change, escaping.
 */
class AdminPagesTest extends DashboardFixture {

  String addNumbersVersion;
  String exitHandlerPipeline;
  String exitHandlerVersion;

  /** Besides the fixture's alice and bob: team-a's contributors, an admin and two pipelines. */
  @BeforeEach
  void addPeopleAndPipelines() throws Exception {
    for (String u : List.of("vera", "eddie", "erin", "mallory")) {
      access.addUser(u, PASSWORD, false);
    }
    access.addUser("root", PASSWORD, true);
    Principal admin = new Principal("root", true);
    access.addContributor(admin, "team-a", "vera", Role.VIEW);
    access.addContributor(admin, "team-a", "eddie", Role.EDIT);
    access.addContributor(admin, "team-a", "erin", Role.ADMIN);
    addNumbersVersion = pipeline("add-numbers", "add_numbers.yaml")[1];
    String[] exit = pipeline("exit-handler", "pipeline_with_exit_handler.yaml");
    exitHandlerPipeline = exit[0];
    exitHandlerVersion = exit[1];
  }

  /**
   * A shared pipeline with one version, stored as an upload stores it: {pipeline id, version id}.
   */
  String[] pipeline(String name, String file) throws Exception {
    PipelineDocument doc = conformance(file);
    Instant now = Instant.now();
    PipelineRecord p = new PipelineRecord(Ids.newId(), "", name, name, null, now);
    store.pipelines().insert(p);
    PipelineVersionRecord v =
        new PipelineVersionRecord(
            Ids.newId(),
            p.id(),
            name,
            name + "-v1",
            null,
            Json.write(PipelineSpecWriter.toTree(doc.spec())),
            null,
            now);
    store.versions().insert(v);
    return new String[] {p.id(), v.id()};
  }

  ExperimentRecord experiment(String namespace, String name) {
    ExperimentRecord e =
        new ExperimentRecord(
            Ids.newId(), namespace, name, "about " + name, "AVAILABLE", Instant.now(), null);
    store.experiments().insert(e);
    return e;
  }

  RecurringRunRecord recurring(String namespace, String name) {
    Instant now = Instant.now();
    RecurringRunRecord r =
        new RecurringRunRecord(
            Ids.newId(),
            namespace,
            store.experiments().getOrCreateDefault(namespace, now).id(),
            name,
            null,
            addNumbersVersion,
            null,
            "{\"parameters\":{\"a\":1,\"b\":2}}",
            "0 0 * * * *",
            null,
            null,
            null,
            1,
            false,
            true,
            "UTC",
            now,
            now,
            null,
            0);
    store.recurringRuns().insert(r);
    return r;
  }

  /** A recurring run's form as the page sends it, hourly, with {@code a=1, b=2}. */
  Map<String, String> recurringForm(String namespace, String name) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("namespace", namespace);
    f.put("name", name);
    f.put("description", "");
    f.put("version", addNumbersVersion);
    f.put("experiment", "");
    f.put("trigger", "cron");
    f.put("cron", "0 0 * * * *");
    f.put("interval", "1");
    f.put("unit", "hours");
    f.put("max_concurrency", "1");
    f.put("catchup", "on");
    f.put("enabled", "on");
    f.put("param.a", "1");
    f.put("param.b", "2");
    return f;
  }

  static void noStackTrace(HttpResponse<String> r) {
    assertThat(r.body())
        .doesNotContain("Exception")
        .doesNotContain("at dev.keel")
        .doesNotContain("internal error");
  }

  String role(String namespace, String user) {
    return access.contributors(namespace).stream()
        .filter(c -> c.user().equals(user))
        .map(ContributorRecord::role)
        .findFirst()
        .orElse(null);
  }

  // ------------------------------------------------------------------ authorisation

  @Test
  void the_nav_names_both_kinds_of_experiment_as_kubeflow_does() throws Exception {
    String home = new Browser().signIn("alice").get("/").body();
    assertThat(home)
        .contains(">Experiments (KFP)</a>")
        .contains(">Experiments (AutoML)</a>")
        .contains(">Recurring runs</a>")
        .contains("href=\"/namespaces/team-a/contributors\"");
  }

  @Test
  void a_stranger_gets_403_pages_without_data_and_changes_nothing() throws Exception {
    ExperimentRecord e = experiment("team-b", "bobs-experiment");
    RecurringRunRecord r = recurring("team-b", "bobs-nightly");
    access.addContributor(new Principal("bob", false), "team-b", "secret-friend", Role.VIEW);
    for (String user : List.of("alice", "mallory")) {
      Browser b = new Browser().signIn(user);
      for (String path :
          List.of(
              "/kfp/experiments?namespace=team-b",
              "/kfp/experiments?namespace=team-b&archived=true",
              "/kfp/experiments/" + e.id(),
              "/recurringruns?namespace=team-b",
              "/recurringruns/new?namespace=team-b",
              "/namespaces/team-b/contributors",
              "/namespaces?namespace=team-b")) {
        HttpResponse<String> page = b.get(path);
        assertThat(page.statusCode()).as(user + " " + path).isEqualTo(403);
        assertThat(page.body())
            .as(user + " " + path)
            .contains("You may not see this")
            .doesNotContain("bobs-experiment")
            .doesNotContain("bobs-nightly")
            .doesNotContain("secret-friend");
      }
      Map<String, String> exp = Map.of("namespace", "team-b", "name", "intruder");
      assertThat(b.post("/kfp/experiments", exp).statusCode()).isEqualTo(403);
      assertThat(b.post("/kfp/experiments/" + e.id() + "/archive", Map.of()).statusCode())
          .isEqualTo(403);
      assertThat(b.post("/recurringruns", recurringForm("team-b", "intruder")).statusCode())
          .isEqualTo(403);
      HttpResponse<String> disable = b.post("/recurringruns/" + r.id() + "/disable", Map.of());
      assertThat(disable.statusCode()).isEqualTo(403);
      assertThat(disable.body()).doesNotContain("bobs-nightly");
      assertThat(
              b.post("/namespaces/team-b/contributors", Map.of("user", "mallory", "role", "admin"))
                  .statusCode())
          .isEqualTo(403);
      assertThat(
              b.post("/namespaces/team-b/contributors/secret-friend/remove", Map.of()).statusCode())
          .isEqualTo(403);
    }
    assertThat(store.experiments().getByName("team-b", "intruder")).isEmpty();
    assertThat(store.experiments().get(e.id()).orElseThrow().storageState()).isEqualTo("AVAILABLE");
    assertThat(store.recurringRuns().list("team-b", null, 50, "").items()).hasSize(1);
    assertThat(store.recurringRuns().get(r.id()).orElseThrow().enabled()).isTrue();
    assertThat(role("team-b", "mallory")).isNull();
    assertThat(role("team-b", "secret-friend")).isEqualTo("view");
    // bob sees all of it
    Browser bob = new Browser().signIn("bob");
    assertThat(bob.get("/kfp/experiments?namespace=team-b").body()).contains("bobs-experiment");
    assertThat(bob.get("/recurringruns?namespace=team-b").body()).contains("bobs-nightly");
    assertThat(bob.get("/namespaces/team-b/contributors").body()).contains("secret-friend");
  }

  @Test
  void a_viewer_reads_but_may_not_create_or_manage() throws Exception {
    ExperimentRecord e = experiment("team-a", "alices-experiment");
    RecurringRunRecord r = recurring("team-a", "alices-nightly");
    Browser vera = new Browser().signIn("vera");

    HttpResponse<String> list = vera.get("/kfp/experiments?namespace=team-a");
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(list.body()).contains("alices-experiment").doesNotContain("id=\"exp-form\"");
    HttpResponse<String> detail = vera.get("/kfp/experiments/" + e.id());
    assertThat(detail.statusCode()).isEqualTo(200);
    assertThat(detail.body()).contains("alices-experiment").doesNotContain("id=\"archive\"");

    HttpResponse<String> rrs = vera.get("/recurringruns?namespace=team-a");
    assertThat(rrs.statusCode()).isEqualTo(200);
    assertThat(rrs.body())
        .contains("alices-nightly")
        .contains("Cron 0 0 * * * * (UTC)")
        .contains("add-numbers")
        .doesNotContain("New recurring run")
        .doesNotContain("/disable");
    assertThat(vera.get("/recurringruns/new?namespace=team-a").statusCode()).isEqualTo(403);
    HttpResponse<String> create = vera.post("/recurringruns", recurringForm("team-a", "veras"));
    assertThat(create.statusCode()).isEqualTo(403);
    assertThat(create.headers().firstValue("HX-Retarget")).hasValue("#flash");
    assertThat(vera.post("/recurringruns/" + r.id() + "/disable", Map.of()).statusCode())
        .isEqualTo(403);
    assertThat(
            vera.post("/kfp/experiments", Map.of("namespace", "team-a", "name", "veras"))
                .statusCode())
        .isEqualTo(403);
    assertThat(vera.post("/kfp/experiments/" + e.id() + "/archive", Map.of()).statusCode())
        .isEqualTo(403);

    HttpResponse<String> contributors = vera.get("/namespaces/team-a/contributors");
    assertThat(contributors.statusCode()).isEqualTo(200);
    assertThat(contributors.body())
        .contains("data-user=\"alice\" data-role=\"owner\"")
        .contains("data-user=\"vera\" data-role=\"view\"")
        .contains("data-user=\"eddie\" data-role=\"edit\"")
        .doesNotContain("id=\"add-contributor\"")
        .doesNotContain("/remove")
        .contains("Only the owner and admins of team-a");
    HttpResponse<String> add =
        vera.post("/namespaces/team-a/contributors", Map.of("user", "mallory", "role", "view"));
    assertThat(add.statusCode()).isEqualTo(403);
    assertThat(add.body()).contains("may not manage the contributors of namespace 'team-a'");
    assertThat(vera.post("/namespaces/team-a/contributors/eddie/remove", Map.of()).statusCode())
        .isEqualTo(403);

    assertThat(store.recurringRuns().list("team-a", null, 50, "").items()).hasSize(1);
    assertThat(store.recurringRuns().get(r.id()).orElseThrow().enabled()).isTrue();
    assertThat(store.experiments().getByName("team-a", "veras")).isEmpty();
    assertThat(role("team-a", "mallory")).isNull();
    assertThat(role("team-a", "eddie")).isEqualTo("edit");
  }

  @Test
  void an_editor_creates_archives_and_schedules_but_does_not_manage_contributors()
      throws Exception {
    Browser eddie = new Browser().signIn("eddie");
    assertThat(eddie.get("/kfp/experiments?namespace=team-a").body()).contains("id=\"exp-form\"");

    // an experiment, made from its form
    HttpResponse<String> made =
        eddie.post(
            "/kfp/experiments",
            Map.of("namespace", "team-a", "name", "tuning", "description", "the big one"));
    assertThat(made.statusCode()).as(made.body()).isEqualTo(200);
    ExperimentRecord e = store.experiments().getByName("team-a", "tuning").orElseThrow();
    assertThat(e.description()).isEqualTo("the big one");
    assertThat(made.headers().firstValue("HX-Redirect")).hasValue("/kfp/experiments/" + e.id());
    // the same name again is an error next to the name
    HttpResponse<String> again =
        eddie.post("/kfp/experiments", Map.of("namespace", "team-a", "name", "tuning"));
    assertThat(again.statusCode()).isEqualTo(422);
    assertThat(again.body())
        .contains("id=\"exp-name-error\"")
        .contains("There is an experiment named 'tuning' in team-a already.");
    noStackTrace(again);

    // its page lists its runs with their state
    String run =
        engine.submit(
            new RunRequest(
                conformance("hello_world.yaml"), Map.of(), "team-a", "first", e.id(), null));
    engine.await(run);
    HttpResponse<String> detail = eddie.get("/kfp/experiments/" + e.id());
    assertThat(detail.body())
        .contains("<h1>tuning</h1>")
        .contains("href=\"/runs/" + run + "\">first</a>")
        .contains("Succeeded")
        .contains("id=\"archive\"");

    // archived, it and its runs leave the active list
    assertThat(eddie.post("/kfp/experiments/" + e.id() + "/archive", Map.of()).statusCode())
        .isEqualTo(200);
    assertThat(store.experiments().get(e.id()).orElseThrow().storageState()).isEqualTo("ARCHIVED");
    assertThat(store.runs().get(run).orElseThrow().storageState()).isEqualTo("ARCHIVED");
    assertThat(eddie.get("/kfp/experiments?namespace=team-a").body()).doesNotContain(">tuning</a>");
    assertThat(eddie.get("/kfp/experiments?namespace=team-a&archived=true").body())
        .contains(">tuning</a>")
        .contains("Archived");
    assertThat(eddie.post("/kfp/experiments/" + e.id() + "/unarchive", Map.of()).statusCode())
        .isEqualTo(200);
    assertThat(store.experiments().get(e.id()).orElseThrow().storageState()).isEqualTo("AVAILABLE");
    assertThat(eddie.post("/kfp/experiments/" + e.id() + "/explode", Map.of()).statusCode())
        .isEqualTo(404);

    // a recurring run in that experiment, then disabled and enabled again
    assertThat(eddie.get("/recurringruns/new?namespace=team-a").statusCode()).isEqualTo(200);
    Map<String, String> f = recurringForm("team-a", "hourly-sum");
    f.put("experiment", e.id());
    f.put("trigger", "periodic");
    f.put("interval", "90");
    f.put("unit", "minutes");
    f.put("max_concurrency", "3");
    f.remove("catchup");
    HttpResponse<String> rr = eddie.post("/recurringruns", f);
    assertThat(rr.statusCode()).as(rr.body()).isEqualTo(200);
    assertThat(rr.headers().firstValue("HX-Redirect")).hasValue("/recurringruns?namespace=team-a");
    RecurringRunRecord r = store.recurringRuns().list("team-a", null, 10, "").items().get(0);
    assertThat(r.displayName()).isEqualTo("hourly-sum");
    assertThat(r.experimentId()).isEqualTo(e.id());
    assertThat(r.cron()).isNull();
    assertThat(r.intervalSeconds()).isEqualTo(5400L);
    assertThat(r.maxConcurrency()).isEqualTo(3);
    assertThat(r.noCatchup()).isTrue();
    assertThat(r.enabled()).isTrue();
    assertThat(r.pipelineVersionId()).isEqualTo(addNumbersVersion);
    assertThat(Json.parse(r.runtimeConfig()).path("parameters").toString())
        .isEqualTo("{\"a\":1,\"b\":2}");
    HttpResponse<String> listed = eddie.get("/recurringruns?namespace=team-a");
    assertThat(listed.body())
        .contains("hourly-sum")
        .contains("Every 1 hour 30 minutes")
        .contains("at most 3 at once · no catch-up")
        .contains("add-numbers · add-numbers-v1")
        .contains(">tuning</a>")
        .contains("/recurringruns/" + r.id() + "/disable");
    HttpResponse<String> off = eddie.post("/recurringruns/" + r.id() + "/disable", Map.of());
    assertThat(off.statusCode()).isEqualTo(200);
    assertThat(off.body()).startsWith("<tr").contains("Disabled").contains("/enable");
    assertThat(store.recurringRuns().get(r.id()).orElseThrow().enabled()).isFalse();
    assertThat(eddie.post("/recurringruns/" + r.id() + "/enable", Map.of()).body())
        .contains("Enabled");
    assertThat(store.recurringRuns().get(r.id()).orElseThrow().enabled()).isTrue();
    assertThat(eddie.get("/kfp/experiments/" + e.id()).body()).contains("hourly-sum");

    // contributors: read-only for an editor
    assertThat(eddie.get("/namespaces/team-a/contributors").body())
        .doesNotContain("id=\"add-contributor\"");
    assertThat(
            eddie
                .post("/namespaces/team-a/contributors", Map.of("user", "mallory", "role", "edit"))
                .statusCode())
        .isEqualTo(403);
    assertThat(role("team-a", "mallory")).isNull();
  }

  @Test
  void owners_admins_and_cluster_admins_manage_contributors_as_kfam_allows() throws Exception {
    Browser alice = new Browser().signIn("alice");
    HttpResponse<String> page = alice.get("/namespaces/team-a/contributors");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body())
        .contains("<h1>Manage contributors</h1>")
        .contains("id=\"add-contributor\"")
        .contains("/namespaces/team-a/contributors/vera/remove");
    // the namespace selector's target goes to the page of the namespace chosen
    HttpResponse<String> chosen = alice.get("/namespaces?namespace=team-a");
    assertThat(chosen.statusCode()).isEqualTo(302);
    assertThat(chosen.headers().firstValue("Location")).hasValue("/namespaces/team-a/contributors");

    HttpResponse<String> add =
        alice.post("/namespaces/team-a/contributors", Map.of("user", "mallory", "role", "view"));
    assertThat(add.statusCode()).isEqualTo(200);
    assertThat(add.body())
        .startsWith("<section id=\"contributors\"")
        .contains("Added mallory as view.")
        .contains("data-user=\"mallory\" data-role=\"view\"");
    assertThat(role("team-a", "mallory")).isEqualTo("view");
    // adding again changes the role
    alice.post("/namespaces/team-a/contributors", Map.of("user", "mallory", "role", "edit"));
    assertThat(role("team-a", "mallory")).isEqualTo("edit");
    // a user who is not there yet is added, with a word about it
    assertThat(
            alice
                .post(
                    "/namespaces/team-a/contributors",
                    Map.of("user", "newcomer@example.com", "role", "view"))
                .body())
        .contains("There is no built-in user 'newcomer@example.com' yet");
    assertThat(
            alice
                .post("/namespaces/team-a/contributors/newcomer%40example.com/remove", Map.of())
                .statusCode())
        .isEqualTo(200);
    assertThat(role("team-a", "newcomer@example.com")).isNull();

    // mistakes come back next to their field
    HttpResponse<String> badUser =
        alice.post("/namespaces/team-a/contributors", Map.of("user", "no way!", "role", "view"));
    assertThat(badUser.statusCode()).isEqualTo(422);
    assertThat(badUser.body())
        .contains("id=\"contributor-user-error\"")
        .contains("is not a user name")
        .contains("value=\"no way!\"");
    noStackTrace(badUser);
    HttpResponse<String> owner =
        alice.post("/namespaces/team-a/contributors", Map.of("user", "alice", "role", "view"));
    assertThat(owner.statusCode()).isEqualTo(422);
    assertThat(owner.body()).contains("owns profile 'team-a' already");
    HttpResponse<String> badRole =
        alice.post("/namespaces/team-a/contributors", Map.of("user", "bob", "role", "boss"));
    assertThat(badRole.statusCode()).isEqualTo(422);
    assertThat(badRole.body())
        .contains("id=\"contributor-role-error\"")
        .contains("is not a role; use view, edit or admin");
    assertThat(role("team-a", "bob")).isNull();

    // a contributor with the admin role manages too
    Browser erin = new Browser().signIn("erin");
    assertThat(erin.post("/namespaces/team-a/contributors/mallory/remove", Map.of()).statusCode())
        .isEqualTo(200);
    assertThat(role("team-a", "mallory")).isNull();
    // removing nobody is a 404
    assertThat(erin.post("/namespaces/team-a/contributors/ghost/remove", Map.of()).statusCode())
        .isEqualTo(404);

    // a cluster admin manages any namespace, and sees which they belong to
    Browser root = new Browser().signIn("root");
    HttpResponse<String> theirs = root.get("/namespaces/team-b/contributors");
    assertThat(theirs.statusCode()).isEqualTo(200);
    assertThat(theirs.body()).contains("Cluster admin").contains("id=\"add-contributor\"");
    assertThat(
            root.post("/namespaces/team-b/contributors", Map.of("user", "alice", "role", "admin"))
                .statusCode())
        .isEqualTo(200);
    assertThat(role("team-b", "alice")).isEqualTo("admin");
    // a namespace with no profile says so
    HttpResponse<String> none = root.get("/namespaces/default/contributors");
    assertThat(none.statusCode()).isEqualTo(200);
    assertThat(none.body()).contains("has no profile");
  }

  // ------------------------------------------------------------------ validation

  @Test
  void a_bad_recurring_run_comes_back_with_each_error_next_to_its_field() throws Exception {
    Browser eddie = new Browser().signIn("eddie");
    Map<String, String> f = recurringForm("team-a", "nightly");
    f.put("cron", "every hour");
    HttpResponse<String> r = eddie.post("/recurringruns", f);
    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(r.body())
        .startsWith("<form id=\"rr-form\"")
        .contains("<p class=\"field-error\" id=\"rr-cron-error\">")
        .contains("is not a cron expression of six fields")
        .contains("aria-describedby=\"rr-cron-error\"")
        .contains("value=\"nightly\"")
        .contains("value=\"every hour\"");
    noStackTrace(r);

    f.put("cron", "0 * * * *");
    assertThat(eddie.post("/recurringruns", f).body())
        .contains("has five fields; KFP's cron has six, seconds first: '0 0 * * * *'");

    // several at once, each where it belongs
    f.put("cron", "0 0 * * * *");
    f.put("name", " ");
    f.put("max_concurrency", "lots");
    f.put("param.a", "x");
    f.put("param.b", "");
    HttpResponse<String> many = eddie.post("/recurringruns", f);
    assertThat(many.statusCode()).isEqualTo(422);
    assertThat(many.body())
        .contains("id=\"rr-name-error\"")
        .contains("Give the recurring run a name.")
        .contains("id=\"rr-max-concurrency-error\"")
        .contains("id=\"param-a-error\"")
        .contains("id=\"param-b-error\"")
        .contains("required parameter 'b' has no value and no default")
        .doesNotContain("id=\"rr-cron-error\"");
    noStackTrace(many);

    // what only the scheduler's own check finds comes back the same way
    Map<String, String> g = recurringForm("team-a", "too-many");
    g.put("max_concurrency", "11");
    HttpResponse<String> mc = eddie.post("/recurringruns", g);
    assertThat(mc.statusCode()).isEqualTo(422);
    assertThat(mc.body())
        .contains("id=\"rr-max-concurrency-error\"")
        .contains("must be between 1 and 10, was 11");
    g = recurringForm("team-a", "never");
    g.put("trigger", "periodic");
    g.put("interval", "0");
    assertThat(eddie.post("/recurringruns", g).body()).contains("id=\"rr-interval-error\"");
    g = recurringForm("team-a", "gone");
    g.put("version", "no-such-version");
    assertThat(eddie.post("/recurringruns", g).body())
        .contains("id=\"rr-version-error\"")
        .contains("There is no such pipeline version.");
    assertThat(store.recurringRuns().list("team-a", null, 50, "").items()).isEmpty();

    // an experiment needs a name
    HttpResponse<String> unnamed =
        eddie.post("/kfp/experiments", Map.of("namespace", "team-a", "name", ""));
    assertThat(unnamed.statusCode()).isEqualTo(422);
    assertThat(unnamed.body()).contains("id=\"exp-name-error\"").contains("Give the experiment");
  }

  @Test
  void the_form_offers_the_pipelines_versions_and_their_parameters_with_defaults()
      throws Exception {
    experiment("team-a", "weekly-reports");
    Browser eddie = new Browser().signIn("eddie");
    HttpResponse<String> page =
        eddie.get("/recurringruns/new?namespace=team-a&pipeline=" + exitHandlerPipeline);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body())
        .contains("<option value=\"" + exitHandlerVersion + "\" selected>exit-handler-v1")
        .contains("name=\"param.message\" value=\"Hello World!\"")
        .contains(">weekly-reports</option>")
        .contains("value=\"0 0 * * * *\"");
    // with the default left as it is, the run takes it
    Map<String, String> f = recurringForm("team-a", "greeting");
    f.remove("param.a");
    f.remove("param.b");
    f.put("version", exitHandlerVersion);
    f.put("param.message", "Hello [[ScheduledTime]]");
    assertThat(eddie.post("/recurringruns", f).statusCode()).isEqualTo(200);
    RecurringRunRecord r = store.recurringRuns().list("team-a", null, 10, "").items().get(0);
    assertThat(Json.parse(r.runtimeConfig()).at("/parameters/message").asText())
        .isEqualTo("Hello [[ScheduledTime]]");
    assertThat(eddie.get("/recurringruns?namespace=team-a").body())
        .contains("greeting")
        .contains("exit-handler");
  }

  @Test
  void every_change_needs_the_csrf_header() throws Exception {
    ExperimentRecord e = experiment("team-a", "kept");
    RecurringRunRecord r = recurring("team-a", "kept-nightly");
    Browser alice = new Browser().signIn("alice");
    Map<String, String> posts = new LinkedHashMap<>();
    posts.put("/kfp/experiments", form(Map.of("namespace", "team-a", "name", "forged")));
    posts.put("/kfp/experiments/" + e.id() + "/archive", "");
    posts.put("/kfp/experiments/" + e.id() + "/unarchive", "");
    posts.put("/recurringruns", form(recurringForm("team-a", "forged")));
    posts.put("/recurringruns/" + r.id() + "/disable", "");
    posts.put("/recurringruns/" + r.id() + "/enable", "");
    posts.put("/namespaces/team-a/contributors", form(Map.of("user", "mallory", "role", "admin")));
    posts.put("/namespaces/team-a/contributors/vera/remove", "");
    for (Map.Entry<String, String> p : posts.entrySet()) {
      HttpResponse<String> res = alice.post(p.getKey(), p.getValue(), false);
      assertThat(res.statusCode()).as(p.getKey()).isEqualTo(403);
      assertThat(res.body()).as(p.getKey()).contains("X-Keel-CSRF");
    }
    assertThat(store.experiments().getByName("team-a", "forged")).isEmpty();
    assertThat(store.experiments().get(e.id()).orElseThrow().storageState()).isEqualTo("AVAILABLE");
    assertThat(store.recurringRuns().list("team-a", null, 50, "").items()).hasSize(1);
    assertThat(store.recurringRuns().get(r.id()).orElseThrow().enabled()).isTrue();
    assertThat(role("team-a", "mallory")).isNull();
    assertThat(role("team-a", "vera")).isEqualTo("view");
  }

  @Test
  void names_people_type_are_escaped() throws Exception {
    String evil = "<script>alert('x')</script>";
    Browser alice = new Browser().signIn("alice");
    HttpResponse<String> made =
        alice.post(
            "/kfp/experiments", Map.of("namespace", "team-a", "name", evil, "description", evil));
    assertThat(made.statusCode()).isEqualTo(200);
    ExperimentRecord e = store.experiments().getByName("team-a", evil).orElseThrow();
    Map<String, String> f = recurringForm("team-a", evil);
    f.put("description", evil);
    f.put("experiment", e.id());
    assertThat(alice.post("/recurringruns", f).statusCode()).isEqualTo(200);
    // a name already taken comes back in the form, escaped too
    HttpResponse<String> again =
        alice.post("/kfp/experiments", Map.of("namespace", "team-a", "name", evil));
    for (String body :
        List.of(
            alice.get("/kfp/experiments?namespace=team-a").body(),
            alice.get("/kfp/experiments/" + e.id()).body(),
            alice.get("/recurringruns?namespace=team-a").body(),
            alice.get("/recurringruns/new?namespace=team-a").body(),
            again.body())) {
      assertThat(body).doesNotContain("<script>alert").contains("&lt;script&gt;alert(");
    }
  }
}
