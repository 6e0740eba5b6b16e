package dev.keel.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The runs list as KFP's UI has it: active runs by default, archived ones on their own tab. */
class RunsArchivedTest extends DashboardFixture {
  @Test
  void archived_runs_are_hidden_until_their_tab_is_chosen() throws Exception {
    String kept = run(conformance("hello_world.yaml"), "team-a", "kept-run");
    String old = run(conformance("hello_world.yaml"), "team-a", "old-run");
    Browser alice = new Browser().signIn("alice");
    assertThat(alice.post("/runs/" + old + "/archive", "").statusCode()).isEqualTo(200);
    assertThat(store.runs().get(old).orElseThrow().storageState()).isEqualTo("ARCHIVED");

    String active = alice.get("/runs?namespace=team-a").body();
    assertThat(active)
        .contains("<a id=\"runs-active\" href=\"/runs?namespace=team-a\" aria-current=\"page\">")
        .contains("<a id=\"runs-archived\" href=\"/runs?namespace=team-a&amp;archived=true\">")
        .contains("kept-run")
        .doesNotContain("old-run");
    // nor is it among the home page's recent runs
    assertThat(alice.get("/?namespace=team-a").body())
        .contains("kept-run")
        .doesNotContain("old-run");

    String archived = alice.get("/runs?namespace=team-a&archived=true").body();
    assertThat(archived)
        .contains("id=\"runs-archived\"")
        .contains("aria-current=\"page\">Archived</a>")
        .contains("old-run")
        .doesNotContain("kept-run")
        // the filters and the sort stay on the archived tab
        .contains("<input type=\"hidden\" name=\"archived\" value=\"true\">")
        .contains("archived=true&amp;sort=created_at");
    // with the state filter too
    assertThat(alice.get("/runs?namespace=team-a&archived=true&state=FAILED").body())
        .doesNotContain("old-run")
        .contains("No archived failed runs in team-a");
    assertThat(alice.get("/runs?namespace=team-a&archived=true&state=SUCCEEDED").body())
        .contains("old-run");

    // restored, it is active again
    assertThat(alice.post("/runs/" + old + "/unarchive", "").statusCode()).isEqualTo(200);
    assertThat(alice.get("/runs?namespace=team-a").body()).contains("old-run").contains("kept-run");
    assertThat(alice.get("/runs?namespace=team-a&archived=true").body())
        .doesNotContain("old-run")
        .contains("No archived runs in team-a");
    // and another namespace's archive is as closed as its list
    assertThat(alice.get("/runs?namespace=team-b&archived=true").statusCode()).isEqualTo(403);
  }
}
