package dev.keel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keel server} as a user starts it: the printed URL, the token, runs, resume at start. */
class ServerIT {
  private static final Pattern READY =
      Pattern.compile("keel server ready at (http://127\\.0\\.0\\.1:(\\d+))/\\?token=(\\S+) ");

  @TempDir Path data;
  final HttpClient http = HttpClient.newHttpClient();

  record Started(Process process, String base, String token, String firstLine) {}

  Started start(Path out, String... extra) throws Exception {
    List<String> args = new java.util.ArrayList<>(List.of("server", "--port", "0"));
    args.addAll(List.of(extra));
    Process p = KeelProcess.start(data, out, args.toArray(String[]::new));
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      String text = Files.exists(out) ? Files.readString(out) : "";
      Matcher m = READY.matcher(text);
      if (m.find()) {
        return new Started(p, m.group(1), m.group(3), text);
      }
      if (!p.isAlive()) {
        throw new AssertionError("keel server exited:\n" + text);
      }
      Thread.sleep(50);
    }
    p.destroyForcibly();
    throw new AssertionError("keel server never said it was ready:\n" + Files.readString(out));
  }

  JsonNode call(Started s, String method, String path, String body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(s.base() + path))
            .header("Authorization", "Bearer " + s.token())
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    return Json.parse(http.send(b.build(), HttpResponse.BodyHandlers.ofString()).body());
  }

  void stop(Started s) throws Exception {
    s.process().destroy(); // SIGTERM, as Ctrl-C would
    assertThat(s.process().waitFor(20, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void the_printed_url_carries_a_token_that_the_api_requires() throws Exception {
    Started s = start(data.resolve("server.out"));
    try {
      HttpResponse<String> anonymous =
          http.send(
              HttpRequest.newBuilder(URI.create(s.base() + "/apis/v2beta1/runs?namespace=default"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(anonymous.statusCode()).isEqualTo(401);

      ObjectNode run = Json.json().createObjectNode();
      run.put("display_name", "hello from the API");
      run.set(
          "pipeline_spec",
          Json.yaml().readTree(Files.readString(KeelProcess.conformance("hello_world.yaml"))));
      JsonNode created = call(s, "POST", "/apis/v2beta1/runs", Json.write(run));
      String runId = created.path("run_id").asText();
      assertThat(runId).as(created.toString()).isNotEmpty();
      String state = "";
      long deadline = System.currentTimeMillis() + 60_000;
      while (System.currentTimeMillis() < deadline && !state.equals("SUCCEEDED")) {
        state = call(s, "GET", "/apis/v2beta1/runs/" + runId, null).path("state").asText();
        Thread.sleep(100);
      }
      assertThat(state).isEqualTo("SUCCEEDED");
      // the CLI on the same data folder sees the run the server made
      var listed = KeelProcess.run(data, "runs", "list");
      assertThat(listed.out()).contains(runId).contains("SUCCEEDED");
    } finally {
      stop(s);
    }
  }

  @Test
  void a_run_left_by_a_killed_keel_is_resumed_when_the_server_starts() throws Exception {
    Path journal = data.resolve("journal.txt");
    Path yaml = data.resolve("crash.yaml");
    Files.writeString(yaml, CrashResumeIT.pipeline(journal, 3));
    Process keel = KeelProcess.start(data, data.resolve("run.out"), "run", yaml.toString());
    CrashResumeIT.waitFor(journal, "b-start", 60_000);
    keel.destroyForcibly();
    assertThat(keel.waitFor(10, TimeUnit.SECONDS)).isTrue();

    Path out = data.resolve("server.out");
    Started s = start(out, "--token", "fixed-token-123");
    try {
      assertThat(s.token()).isEqualTo("fixed-token-123");
      assertThat(s.firstLine()).contains("1 unfinished run(s) resumed");
      CrashResumeIT.waitFor(out, "SUCCEEDED", 60_000);
      List<String> lines = Files.readAllLines(journal);
      assertThat(lines).filteredOn("a"::equals).hasSize(1);
      assertThat(lines).filteredOn("c"::equals).hasSize(1);
    } finally {
      stop(s);
    }
  }
}
