package dev.keel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kill -9} of the process running a pipeline, then {@code keel runs resume}. */
class CrashResumeIT {
  @TempDir Path data;

  static String pipeline(Path journal, int sleepSeconds) {
    return """
        pipelineInfo: {name: crash-test}
        schemaVersion: 2.1.0
        root:
          dag:
            tasks:
              a: {componentRef: {name: comp-a}, cachingOptions: {}}
              b: {componentRef: {name: comp-b}, dependentTasks: [a], cachingOptions: {}}
              c: {componentRef: {name: comp-c}, dependentTasks: [b], cachingOptions: {}}
        components:
          comp-a: {executorLabel: exec-a}
          comp-b: {executorLabel: exec-b}
          comp-c: {executorLabel: exec-c}
        deploymentSpec:
          executors:
            exec-a: {container: {image: alpine, command: [sh, -c, 'echo a >> "$0"', '%1$s']}}
            exec-b: {container: {image: alpine, command: [sh, -c, 'echo b-start >> "$0"; sleep %2$d; echo b >> "$0"', '%1$s']}}
            exec-c: {container: {image: alpine, command: [sh, -c, 'echo c >> "$0"', '%1$s']}}
        """
        .formatted(journal, sleepSeconds);
  }

  static String waitFor(Path file, String text, long millis) throws Exception {
    long deadline = System.currentTimeMillis() + millis;
    while (System.currentTimeMillis() < deadline) {
      if (Files.exists(file)) {
        String s = Files.readString(file);
        if (s.contains(text)) {
          return s;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError(
        "'"
            + text
            + "' never appeared in "
            + file
            + (Files.exists(file) ? ":\n" + Files.readString(file) : " (missing)"));
  }

  @Test
  void kill_9_mid_run_then_resume_finishes_without_repeating_finished_tasks() throws Exception {
    Path journal = data.resolve("journal.txt");
    Path yaml = data.resolve("crash.yaml");
    Files.writeString(yaml, pipeline(journal, 5));
    Path out = data.resolve("run-out.txt");
    Process keel = KeelProcess.start(data, out, "run", yaml.toString());
    waitFor(journal, "b-start", 60_000);
    keel.destroyForcibly();
    assertThat(keel.waitFor(10, TimeUnit.SECONDS)).isTrue();

    var resumed = KeelProcess.run(data, "runs", "resume");
    assertThat(resumed.code()).as(resumed.all()).isZero();
    assertThat(resumed.out()).contains("SUCCEEDED");

    List<String> lines = Files.readAllLines(journal);
    assertThat(lines).filteredOn("a"::equals).hasSize(1);
    assertThat(lines)
        .filteredOn("b"::equals)
        .as("the killed run's leftover b must not finish")
        .hasSize(1);
    assertThat(lines).filteredOn("c"::equals).hasSize(1);

    var list = KeelProcess.run(data, "runs", "list", "-o", "json");
    String runId = Json.parse(list.out()).path("runs").get(0).path("run_id").asText();
    assertThat(KeelProcess.run(data, "runs", "get", runId).out())
        .contains("events:")
        .contains("resuming run " + runId);
    JsonNode run = Json.parse(list.out()).path("runs").get(0);
    assertThat(run.path("state").asText()).isEqualTo("SUCCEEDED");
    JsonNode tasks = run.at("/run_details/task_details");
    assertThat(tasks).hasSize(3);
    Set<String> ids = new HashSet<>();
    tasks.forEach(t -> ids.add(t.path("task_id").asText()));
    assertThat(ids).hasSize(3);
  }

  @Test
  void terminate_from_another_process_cancels_the_run() throws Exception {
    Path journal = data.resolve("journal.txt");
    Path yaml = data.resolve("slow.yaml");
    Files.writeString(yaml, pipeline(journal, 60));
    Path out = data.resolve("run-out.txt");
    Process keel = KeelProcess.start(data, out, "run", yaml.toString());
    String printed = waitFor(out, "started", 60_000);
    Matcher m = Pattern.compile("run ([0-9a-f-]{36})").matcher(printed);
    assertThat(m.find()).isTrue();
    waitFor(journal, "b-start", 60_000);

    var t = KeelProcess.run(data, "runs", "terminate", m.group(1));
    assertThat(t.code()).as(t.all()).isZero();
    assertThat(t.out()).contains("CANCELED");
    assertThat(keel.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(keel.exitValue()).isEqualTo(1);
    assertThat(Files.readString(out)).contains("CANCELED");
    assertThat(Files.readAllLines(journal)).doesNotContain("b", "c");
  }

  @Test
  void retry_reruns_the_failed_task_and_finishes() throws Exception {
    Path flag = data.resolve("flag");
    Path yaml = data.resolve("flaky.yaml");
    Files.writeString(
        yaml,
        """
        pipelineInfo: {name: flaky}
        schemaVersion: 2.1.0
        root:
          dag:
            tasks:
              check: {componentRef: {name: comp-check}, cachingOptions: {}}
        components:
          comp-check: {executorLabel: exec-check}
        deploymentSpec:
          executors:
            exec-check: {container: {image: alpine, command: [test, -e, '%s']}}
        """
            .formatted(flag));
    var first = KeelProcess.run(data, "run", yaml.toString());
    assertThat(first.code()).isEqualTo(1);
    Matcher m = Pattern.compile("run ([0-9a-f-]{36})").matcher(first.out());
    assertThat(m.find()).isTrue();
    Files.createFile(flag);
    var retry = KeelProcess.run(data, "runs", "retry", m.group(1));
    assertThat(retry.code()).as(retry.all()).isZero();
    assertThat(retry.out()).contains("SUCCEEDED");
  }
}
