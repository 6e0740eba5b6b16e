package dev.keel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.cli.KeelProcess.Result;
import dev.keel.core.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keel run} as {@code ./keel} starts it: handed to a warm {@link Daemon} with the client's
 * folder and environment, its output and exit code passed back, Ctrl-C passed on, and a daemon
 * killed mid-run leaving a run that {@code keel runs resume} finishes.
 */
class DaemonIT {
  @TempDir Path work;
  @TempDir Path daemons;

  @AfterEach
  void stopDaemons() throws Exception {
    List<Long> pids = pids();
    keel(Map.of(), "daemon", "stop");
    for (long pid : pids) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void runs_are_served_by_one_warm_process_with_the_clients_folder_and_environment()
      throws Exception {
    Files.writeString(work.resolve("echo.yaml"), echoPipeline());
    Map<String, String> env = Map.of("KEEL_IT_WORD", "hello", "KEEL_IT_EXIT", "0");

    Result first = keel(env, "run", "echo.yaml", "--data-dir", "data"); // relative to the client
    assertThat(first.code()).as(first.all()).isZero();
    assertThat(first.out()).contains("SUCCEEDED").contains("said = \"hello in say\"");
    assertThat(first.err()).isEmpty();
    assertThat(work.resolve("data/keel.db")).exists();
    List<Long> serving = pids();
    assertThat(serving).hasSize(1);

    Result second = keel(env, "run", "echo.yaml", "--data-dir", "data");
    assertThat(second.code()).as(second.all()).isZero();
    assertThat(pids()).as("the same daemon serves the second run").isEqualTo(serving);

    // a failing task: the client exits as the command did
    Result failed =
        keel(
            Map.of("KEEL_IT_WORD", "x", "KEEL_IT_EXIT", "3"),
            "run",
            "echo.yaml",
            "--data-dir",
            "other-data");
    assertThat(failed.code()).as(failed.all()).isEqualTo(1);
    assertThat(failed.out()).contains("FAILED");
    assertThat(pids())
        .as("another environment gets a daemon of its own")
        .hasSize(2)
        .containsAll(serving);

    Result bad = keel(env, "run", "missing.yaml");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("missing.yaml");

    JsonNode runs =
        Json.parse(keel(Map.of(), "runs", "list", "-o", "json", "--data-dir", "data").out())
            .path("runs");
    assertThat(runs).hasSize(2);
  }

  @Test
  void kill_9_of_the_daemon_mid_run_then_resume_finishes_the_run() throws Exception {
    Path journal = work.resolve("journal.txt");
    Files.writeString(work.resolve("crash.yaml"), CrashResumeIT.pipeline(journal, 5));
    Path out = work.resolve("client.txt");
    Process client = start(Map.of(), out, "run", "crash.yaml", "--data-dir", "data");
    CrashResumeIT.waitFor(journal, "b-start", 60_000);
    List<Long> serving = pids();
    assertThat(serving).hasSize(1);
    ProcessHandle.of(serving.get(0)).orElseThrow().destroyForcibly();

    assertThat(client.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(client.exitValue()).isEqualTo(1);
    assertThat(Files.readString(out))
        .contains("the daemon running this command stopped")
        .contains("keel runs resume");

    Result resumed = keel(Map.of("KEEL_DAEMON", "off"), "runs", "resume", "--data-dir", "data");
    assertThat(resumed.code()).as(resumed.all()).isZero();
    assertThat(resumed.out()).contains("SUCCEEDED");
    List<String> lines = Files.readAllLines(journal);
    assertThat(lines).filteredOn("a"::equals).hasSize(1);
    assertThat(lines).filteredOn("c"::equals).hasSize(1);
  }

  @Test
  void ctrl_c_of_the_client_cancels_the_run_in_the_daemon() throws Exception {
    Path journal = work.resolve("journal.txt");
    Files.writeString(work.resolve("slow.yaml"), CrashResumeIT.pipeline(journal, 60));
    Path out = work.resolve("client.txt");
    Process client = start(Map.of(), out, "run", "slow.yaml", "--data-dir", "data");
    String printed = CrashResumeIT.waitFor(out, "started", 60_000);
    CrashResumeIT.waitFor(journal, "b-start", 60_000);

    client.destroy(); // SIGTERM: what Ctrl-C is to the JVM, its shutdown hooks run
    assertThat(client.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(Files.readString(out)).contains("CANCELED");

    Matcher m = Pattern.compile("run ([0-9a-f-]{36})").matcher(printed);
    assertThat(m.find()).isTrue();
    Result get = keel(Map.of(), "runs", "get", m.group(1), "-o", "json", "--data-dir", "data");
    assertThat(Json.parse(get.out()).path("state").asText()).isEqualTo("CANCELED");
    assertThat(Files.readAllLines(journal)).doesNotContain("b", "c");
  }

  @Test
  void a_busy_daemon_leaves_the_next_run_to_its_own_process() throws Exception {
    Path journal = work.resolve("journal.txt");
    Files.writeString(work.resolve("slow.yaml"), CrashResumeIT.pipeline(journal, 8));
    Files.writeString(work.resolve("echo.yaml"), echoPipeline());
    Map<String, String> env = Map.of("KEEL_IT_WORD", "meanwhile", "KEEL_IT_EXIT", "0");
    Path out = work.resolve("client.txt");
    Process slow = start(env, out, "run", "slow.yaml", "--data-dir", "slow-data");
    CrashResumeIT.waitFor(journal, "b-start", 60_000);

    Result quick = keel(env, "run", "echo.yaml", "--data-dir", "quick-data");
    assertThat(quick.code()).as(quick.all()).isZero();
    assertThat(quick.out()).contains("said = \"meanwhile in say\"");
    assertThat(slow.isAlive()).as("the quick run did not wait for the slow one").isTrue();
    assertThat(pids()).hasSize(1);

    assertThat(slow.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(slow.exitValue()).as(Files.readString(out)).isZero();
  }

  @Test
  void off_runs_in_the_clients_process_and_stop_stops_the_daemons() throws Exception {
    Files.writeString(work.resolve("echo.yaml"), echoPipeline());
    Map<String, String> env = Map.of("KEEL_IT_WORD", "w", "KEEL_IT_EXIT", "0");

    Result off = keel(with(env, "KEEL_DAEMON", "off"), "run", "echo.yaml", "--data-dir", "data");
    assertThat(off.code()).as(off.all()).isZero();
    assertThat(pids()).isEmpty();
    assertThat(keel(Map.of(), "daemon", "status").out()).contains("no daemon running");

    assertThat(keel(env, "run", "echo.yaml", "--data-dir", "data").code()).isZero();
    List<Long> serving = pids();
    assertThat(serving).hasSize(1);
    assertThat(keel(Map.of(), "daemon", "status").out())
        .contains(serving.get(0) + "")
        .contains("idle")
        .contains(work.toString());

    assertThat(keel(Map.of(), "daemon", "stop").out()).contains("stopping 1 daemon(s)");
    ProcessHandle daemon = ProcessHandle.of(serving.get(0)).orElseThrow();
    daemon.onExit().get(10, TimeUnit.SECONDS);
    assertThat(daemon.isAlive()).isFalse();
    assertThat(Files.list(daemons).filter(p -> p.toString().endsWith(".sock"))).isEmpty();
  }

  @Test
  void a_daemon_folder_open_to_others_is_not_used() throws Exception {
    Files.writeString(work.resolve("echo.yaml"), echoPipeline());
    Files.setPosixFilePermissions(daemons, PosixFilePermissions.fromString("rwxrwxrwx"));

    Result run =
        keel(
            Map.of("KEEL_IT_WORD", "w", "KEEL_IT_EXIT", "0"),
            "run",
            "echo.yaml",
            "--data-dir",
            "data");

    assertThat(run.code()).as(run.all()).isZero();
    assertThat(run.out()).contains("said = \"w in say\"");
    assertThat(Files.list(daemons))
        .as("no daemon took commands from a folder others can write")
        .isEmpty();
    assertThat(Files.getPosixFilePermissions(daemons)).hasSize(9); // left as it was
  }

  // --- helpers

  private static String echoPipeline() {
    return """
        pipelineInfo: {name: daemon-echo}
        schemaVersion: 2.1.0
        root:
          dag:
            outputs:
              parameters:
                said: {valueFromParameter: {producerSubtask: say, outputParameterKey: said}}
            tasks:
              say: {componentRef: {name: comp-say}, cachingOptions: {}}
          outputDefinitions: {parameters: {said: {parameterType: STRING}}}
        components:
          comp-say:
            executorLabel: exec-say
            outputDefinitions: {parameters: {said: {parameterType: STRING}}}
        deploymentSpec:
          executors:
            exec-say:
              container:
                image: alpine
                command:
                - sh
                - -c
                - printf '%s in %s' "$KEEL_IT_WORD" "$(basename "$PWD")" > "$0"; exit "$KEEL_IT_EXIT"
                - "{{$.outputs.parameters['said'].output_file}}"
        """;
  }

  private static Map<String, String> with(Map<String, String> env, String k, String v) {
    Map<String, String> m = new HashMap<>(env);
    m.put(k, v);
    return m;
  }

  /** The daemons of this test: the processes behind the sockets in its daemon folder. */
  private List<Long> pids() throws Exception {
    Result status = keel(Map.of(), "daemon", "status");
    List<Long> pids = new ArrayList<>();
    for (String line : status.out().split("\n")) {
      if (line.matches("\\d+\\s.*")) {
        pids.add(Long.parseLong(line.split("\\s+")[0]));
      }
    }
    pids.sort(null);
    return pids;
  }

  /** {@code keel ARGS} as {@code ./keel} starts it, in the test's folder, with its daemons. */
  private ProcessBuilder client(Map<String, String> env, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-D" + DaemonClient.PROPERTY + "=true");
    cmd.add("-jar");
    cmd.add(KeelProcess.JAR.toAbsolutePath().toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(work.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    pb.environment().put("KEEL_DAEMON_DIR", daemons.toString());
    pb.environment().put("KEEL_DAEMON_IDLE", "120");
    pb.environment().putAll(env);
    return pb;
  }

  private Process start(Map<String, String> env, Path out, String... args) throws IOException {
    return client(env, args).redirectErrorStream(true).redirectOutput(out.toFile()).start();
  }

  private Result keel(Map<String, String> env, String... args) throws Exception {
    return KeelProcess.complete(client(env, args), 120, "keel " + String.join(" ", args));
  }
}
