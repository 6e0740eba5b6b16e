package dev.keel.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.pipelines.spec.PipelineDocument;
import dev.keel.pipelines.spec.PipelineSpecReader;
import dev.keel.store.Store;
import dev.keel.store.TaskRecord;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A task's log followed over real HTTP while it runs: appended lines come as they are written,
 * escaped, and the stream ends when the task does; a stranger gets 403; a huge log is capped.
 */
class LogStreamTest extends DashboardFixture {
  /** One task that prints a line every half second, one of them with markup in it. */
  static PipelineDocument slowLines() {
    return PipelineSpecReader.readText(
        """
        pipelineInfo: {name: slow-lines}
        schemaVersion: 2.1.0
        components:
          comp-slow:
            executorLabel: exec-slow
        deploymentSpec:
          executors:
            exec-slow:
              container:
                image: alpine
                command: [sh, -c]
                args: ["for i in 1 2 3 4; do echo line $i; sleep 0.5; done; echo '<b>bold</b> & done'"]
        root:
          dag:
            tasks:
              slow: {componentRef: {name: comp-slow}, taskInfo: {name: slow}}
        """);
  }

  static String text(List<Event> events) {
    return events.stream()
        .filter(e -> e.name().equals("log"))
        .map(Event::data)
        .collect(Collectors.joining());
  }

  @Test
  void the_panel_follows_a_running_tasks_log_until_it_ends() throws Exception {
    String id = submit(slowLines(), "team-a", "slow");
    TaskRecord t = awaitTask(id, "slow", x -> x.state().equals("RUNNING") && x.logPath() != null);
    Browser alice = new Browser().signIn("alice");

    // while it runs, the panel connects its log to the stream, from where the page's copy ends
    String panel = alice.get("/runs/" + id + "/node?task=slow").body();
    String stream = "/runs/" + id + "/node/" + t.id() + "/log/stream";
    assertThat(panel)
        .contains("sse-connect=\"" + stream + "?from=")
        .contains("sse-swap=\"log\" hx-swap=\"beforeend\"")
        .contains("the page keeps its last 64 KiB");

    List<Event> events = alice.events(stream + "?from=0");
    // every line, in order, escaped; then how it ended, then done
    String log = text(events);
    assertThat(log)
        .containsSubsequence("line 1", "line 2", "line 3", "line 4")
        .contains("&lt;b&gt;bold&lt;/b&gt; &amp; done")
        .doesNotContain("<b>");
    assertThat(events.get(events.size() - 2).name()).isEqualTo("end");
    assertThat(events.get(events.size() - 2).data()).contains("Succeeded");
    assertThat(events.get(events.size() - 1).name()).isEqualTo("done");
    // the lines came as they were written, not all at the end
    List<Event> logs = events.stream().filter(e -> e.name().equals("log")).toList();
    assertThat(logs).hasSizeGreaterThanOrEqualTo(3);
    assertThat(logs.get(logs.size() - 1).atMillis() - logs.get(0).atMillis())
        .isGreaterThanOrEqualTo(800);
    // each carries how far the page has read, for a reconnect
    assertThat(Long.parseLong(logs.get(logs.size() - 1).id()))
        .isEqualTo(Files.size(Path.of(t.logPath())));
    // nothing is sent twice
    assertThat(log.split("line 2", -1)).hasSize(2);

    // a reconnect (Last-Event-ID) after the task ended gets only the end
    var resumed =
        alice.http.send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.url() + stream))
                .header("Accept", "text/event-stream")
                .header("Last-Event-ID", logs.get(logs.size() - 1).id())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(resumed.body()).doesNotContain("line").contains("event: done");

    // once it has ended, the panel shows the log without a stream
    String after = alice.get("/runs/" + id + "/node?task=slow").body();
    assertThat(after)
        .contains("<pre class=\"log\">")
        .contains("line 4\n")
        .doesNotContain("sse-connect");
  }

  @Test
  void a_stranger_gets_403_on_the_stream_and_no_line_of_it() throws Exception {
    String id = submit(slowLines(), "team-b", "bobs");
    TaskRecord t = awaitTask(id, "slow", x -> x.logPath() != null);
    Browser alice = new Browser().signIn("alice");
    String stream = "/runs/" + id + "/node/" + t.id() + "/log/stream";
    HttpResponse<Stream<String>> r = alice.stream(stream);
    assertThat(r.statusCode()).isEqualTo(403);
    String body;
    try (Stream<String> lines = r.body()) {
      body = lines.collect(Collectors.joining("\n"));
    }
    assertThat(body).contains("You may not see this").doesNotContain("line 1");
    // nor by path, nor anonymously
    assertThat(alice.stream("/runs/" + id + "/node/slow/log/stream").statusCode()).isEqualTo(403);
    assertThat(new Browser().stream(stream).statusCode()).isIn(302, 401);
    // a task of another run is not found through this one
    String mine = run(slowLines(), "team-a", "mine");
    assertThat(alice.stream("/runs/" + mine + "/node/" + t.id() + "/log/stream").statusCode())
        .isEqualTo(404);
    engine.await(id);
    // bob reads his
    assertThat(text(new Browser().signIn("bob").events(stream))).contains("line 4");
  }

  @Test
  void a_huge_log_is_capped_and_says_so() throws Exception {
    Path log = dir.resolve("huge.log");
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 20_000; i++) {
      b.append("row ").append(i).append(" <x>\n");
    }
    Files.writeString(log, b.toString());
    long size = Files.size(log);
    Store s = store;
    TaskRecord t =
        new TaskRecord(
            "task-huge",
            insertRun(),
            null,
            "huge",
            "huge",
            "huge",
            "comp",
            "RUNNING",
            1,
            null,
            null,
            "{}",
            "{}",
            null,
            null,
            null,
            null,
            log.toString(),
            Instant.now(),
            Instant.now(),
            null);
    s.tasks().insertIfAbsent(t);
    LogStream stream = new LogStream(s.tasks(), "task-huge", 0, 4096);
    List<LogStream.Event> first = stream.poll();
    assertThat(first.get(0).data())
        .contains("bytes of the log are left out: the page keeps the last 4 KiB");
    String shown = first.get(1).data();
    assertThat(shown.length()).isLessThan(4096 * 2);
    assertThat(shown).startsWith("<span>row ").contains("row 19999 &lt;x&gt;\n</span>");
    assertThat(stream.poll()).isEmpty();
    // a half-written line waits for its end
    Files.writeString(log, "partial", StandardOpenOption.APPEND);
    assertThat(stream.poll()).isEmpty();
    Files.writeString(log, " line\n", StandardOpenOption.APPEND);
    assertThat(stream.poll())
        .singleElement()
        .satisfies(e -> assertThat(e.data()).isEqualTo("<span>partial line\n</span>"));
    // a burst bigger than the cap is cut too
    Files.writeString(log, b.toString(), StandardOpenOption.APPEND);
    List<LogStream.Event> burst = stream.poll();
    assertThat(burst.get(0).data()).contains("left out");
    assertThat(Long.parseLong(burst.get(burst.size() - 1).id())).isEqualTo(2 * size + 13);
    // the tail of the page starts there as well: from -1
    assertThat(new LogStream(s.tasks(), "task-huge", -1, 4096).poll().get(0).data())
        .contains("left out");
  }

  private String insertRun() throws Exception {
    return run(slowLines(), "team-a", "holder");
  }
}
