package dev.keel.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.store.RunRecord;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The run page's graph level by level, over real HTTP, with KFP's own pipelines run locally: a
 * nested pipeline, a condition branch and nested ParallelFor loops, each drawn as a node that holds
 * tasks and opened with {@code ?dag=}; iterations are the loop's children. A stranger gets 403.
 */
class RunLevelsTest extends DashboardFixture {
  static String enc(String s) {
    return Views.enc(s);
  }

  @Test
  void nested_loops_open_level_by_level_down_to_an_iterations_task() throws Exception {
    String id = run(conformance("pipeline_with_nested_loops.yaml"), "team-a", "loops");
    RunRecord r = store.runs().get(id).orElseThrow();
    assertThat(r.state()).as(r.error()).isEqualTo("SUCCEEDED");
    Browser alice = new Browser().signIn("alice");
    String loop1 = task(id, "for-loop-1").id();

    // the root: two loops, each a double-bordered node with its count and a button that opens it
    String root = alice.get("/runs/" + id).body();
    assertThat(root)
        .contains("data-node=\"for-loop-1\"")
        .contains("data-kind=\"loop\"")
        .contains("class=\"open-dag\" href=\"/runs/" + id + "?dag=" + loop1 + "\"")
        .contains("Succeeded · 2 iterations")
        .contains("class=\"inner\"")
        .doesNotContain("id=\"dag-crumbs\"");

    // the loop: its iterations, each a link to its own DAG, coloured by its tasks' states
    HttpResponse<String> loop = alice.get("/runs/" + id + "?dag=" + loop1);
    assertThat(loop.statusCode()).isEqualTo(200);
    assertThat(loop.body())
        .contains("id=\"dag-crumbs\"")
        .contains("<span aria-current=\"page\">for-loop-1</span>")
        .contains("data-node=\"for-loop-1(0)\"")
        .contains("data-node=\"for-loop-1(1)\"")
        .doesNotContain("data-node=\"for-loop-4")
        .contains("href=\"/runs/" + id + "?dag=" + enc("for-loop-1(0)") + "\"")
        .contains("data-kind=\"iteration\"")
        .contains("state-succeeded nested iteration")
        // the item each iteration got
        .contains("#1 {\"p_a\":[{\"q_a\":\"11\"}");
    // only the loop's tasks are listed under it
    assertThat(loop.body())
        .contains("for-loop-1(1)/for-loop-2(0)/print-op")
        .doesNotContain("for-loop-4(0)/for-loop-6");

    // an iteration: the loop inside it, named by path as iterations have no task of their own
    String iteration = alice.get("/runs/" + id + "?dag=" + enc("for-loop-1(0)")).body();
    assertThat(iteration)
        .contains("<a href=\"/runs/" + id + "?dag=" + loop1 + "\">for-loop-1</a>")
        .contains("<span aria-current=\"page\">iteration 0</span>")
        .contains("data-node=\"for-loop-1(0)/for-loop-2\"")
        .contains("data-kind=\"loop\"");

    // the inner loop's iteration: the task that ran, with its log in its panel
    String leaf = "for-loop-1(0)/for-loop-2(1)";
    String inner = alice.get("/runs/" + id + "?dag=" + enc(leaf)).body();
    assertThat(inner)
        .contains("data-node=\"" + leaf + "/print-op\"")
        .contains("state-succeeded")
        .contains(">iteration 1</span>")
        .contains("hx-get=\"/runs/" + id + "/node?task=" + enc(leaf + "/print-op") + "\"");
    String panel = alice.get("/runs/" + id + "/node?task=" + enc(leaf + "/print-op")).body();
    assertThat(panel).contains("msg: 2, msg2: None");
    // a loop task's panel lists its iterations' tasks and opens its graph
    String loopPanel = alice.get("/runs/" + id + "/node?task=for-loop-1").body();
    assertThat(loopPanel)
        .contains("id=\"open-dag\" href=\"/runs/" + id + "?dag=" + loop1 + "\"")
        .contains("for-loop-1(1)/for-loop-2(1)/print-op");

    // a level's live updates draw that level
    List<Event> events = alice.events("/runs/" + id + "/events?dag=" + loop1);
    assertThat(events).extracting(Event::name).containsExactly("run", "done");
    assertThat(events.get(0).data())
        .contains("data-node=\"for-loop-1(1)\"")
        .doesNotContain("data-node=\"for-loop-4\"");

    assertThat(alice.events("/runs/" + id + "/events?dag=nope"))
        .extracting(Event::name)
        .containsExactly("done");

    // what is not a level of this run is a 404 page
    for (String bad :
        new String[] {
          "nope", enc(leaf + "/print-op"), enc("for-loop-1/for-loop-2"), "for-loop-4(x)"
        }) {
      HttpResponse<String> r404 = alice.get("/runs/" + id + "?dag=" + bad);
      assertThat(r404.statusCode()).as(bad).isEqualTo(404);
    }
  }

  @Test
  void a_nested_pipeline_and_a_condition_branch_open_with_their_tasks() throws Exception {
    String nested = run(conformance("pipeline_in_pipeline.yaml"), "team-a", "nested");
    assertThat(store.runs().get(nested).orElseThrow().state()).isEqualTo("SUCCEEDED");
    Browser alice = new Browser().signIn("alice");
    String inner = task(nested, "inner-pipeline").id();
    String root = alice.get("/runs/" + nested).body();
    assertThat(root)
        .contains("data-kind=\"dag\"")
        .contains("Succeeded · 2 tasks")
        .contains("?dag=" + inner);
    String level = alice.get("/runs/" + nested + "?dag=" + inner).body();
    assertThat(level)
        .contains("data-node=\"inner-pipeline/print-op1\"")
        .contains("data-node=\"inner-pipeline/print-op2\"")
        // the edge between them is drawn inside the level
        .contains("data-from=\"inner-pipeline/print-op1\" data-to=\"inner-pipeline/print-op2\"")
        .doesNotContain("data-node=\"print-op1\"");
    // by path too, as before the task has an id
    assertThat(alice.get("/runs/" + nested + "?dag=inner-pipeline").body())
        .contains("data-node=\"inner-pipeline/print-op2\"");

    String cond = run(conformance("pipeline_with_condition.yaml"), "team-a", "cond");
    assertThat(store.runs().get(cond).orElseThrow().state()).isEqualTo("SUCCEEDED");
    String c = alice.get("/runs/" + cond).body();
    assertThat(c).contains("data-node=\"condition-1\"").contains("data-kind=\"condition\"");
    String branch = alice.get("/runs/" + cond + "?dag=condition-1").body();
    assertThat(branch)
        .contains("<span aria-current=\"page\">condition-1</span>")
        .contains("data-node=\"condition-1/flip-coin-op-2\"");
  }

  @Test
  void a_stranger_gets_403_on_every_level_and_its_updates_say_nothing() throws Exception {
    String id = run(conformance("pipeline_with_nested_loops.yaml"), "team-b", "bobs-loops");
    String loop1 = task(id, "for-loop-1").id();
    Browser alice = new Browser().signIn("alice");
    for (String path :
        new String[] {
          "/runs/" + id + "?dag=" + loop1,
          "/runs/" + id + "?dag=" + enc("for-loop-1(0)"),
          "/runs/" + id + "?dag=nope",
          "/runs/" + id + "/node?task=for-loop-1"
        }) {
      HttpResponse<String> r = alice.get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(403);
      assertThat(r.body())
          .as(path)
          .contains("You may not see this")
          .doesNotContain("bobs-loops")
          .doesNotContain("for-loop-1");
    }
    List<Event> events = alice.events("/runs/" + id + "/events?dag=" + loop1);
    assertThat(events).extracting(Event::name).containsExactly("done");
    // bob sees his
    Browser bob = new Browser().signIn("bob");
    assertThat(bob.get("/runs/" + id + "?dag=" + loop1).body()).contains("for-loop-1(1)");
  }
}
