package dev.keel.runtime;

import static dev.keel.runtime.Fixture.await;
import static dev.keel.runtime.Fixture.log;
import static dev.keel.runtime.Fixture.runningAfter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a workload's process sees and what its status and log say: real processes, no mocks. */
class LocalRuntimeTest {
  /** The first line of every log of an {@code alpine} workload. */
  static final String HOST_IMAGE_LINE = "[keel] image alpine → host programs (/bin/sh and PATH)\n";

  @TempDir Path dir;
  final LocalRuntime runtime = LocalRuntime.builder().parallelism(4).build();

  @AfterEach
  void close() {
    runtime.close();
  }

  WorkloadSpec.Builder spec(String... command) {
    return Fixture.spec(dir, command);
  }

  @Test
  void argv_reaches_the_program_verbatim_without_a_shell() throws Exception {
    Workload w =
        runtime.launch(
            spec("printf", "[%s]\\n")
                .args("two words", "$(echo no)", "a;b", "'q'", "\"dq\"", "*", "$HOME", "")
                .build());
    assertThat(await(w).phase()).isEqualTo(Phase.SUCCEEDED);
    assertThat(log(w))
        .endsWith("[two words]\n[$(echo no)]\n[a;b]\n['q']\n[\"dq\"]\n[*]\n[$HOME]\n[]\n");
  }

  @Test
  void env_is_added_to_the_inherited_environment() throws Exception {
    Workload w =
        runtime.launch(
            spec("sh", "-c", "echo \"$GREETING|$HOME|${PATH:+has-path}\"")
                .env(Map.of("GREETING", "hello world", "HOME", "/custom/home"))
                .build());
    assertThat(await(w).exitCode()).isZero();
    assertThat(log(w)).contains("hello world|/custom/home|has-path\n");
  }

  @Test
  void image_map_env_applies_and_the_spec_env_wins() throws Exception {
    ImageMap map =
        ImageMap.defaults()
            .with(
                "my/image*",
                new ImageMapping(
                    "", Map.of(), Map.of("FROM_IMAGE", "image", "BOTH", "image"), "test image"));
    try (LocalRuntime rt = LocalRuntime.builder().imageMap(map).build()) {
      Workload w =
          rt.launch(
              spec("sh", "-c", "echo \"$FROM_IMAGE $BOTH\"")
                  .image("my/image:1")
                  .env(Map.of("BOTH", "spec"))
                  .build());
      assertThat(await(w).phase()).isEqualTo(Phase.SUCCEEDED);
      assertThat(log(w))
          .startsWith("[keel] image my/image:1 → test image\n")
          .contains("image spec\n");
    }
  }

  @Test
  void working_dir_and_log_folders_are_created() throws Exception {
    Path work = dir.resolve("a/b/c");
    Path out = dir.resolve("outputs/x");
    Workload w =
        runtime.launch(
            spec("pwd")
                .workingDir(work)
                .directories(List.of(out))
                .logFile(dir.resolve("logs/deep/w.log"))
                .build());
    assertThat(await(w).phase()).isEqualTo(Phase.SUCCEEDED);
    assertThat(log(w)).endsWith(work.toRealPath() + "\n");
    assertThat(out).isDirectory();
  }

  @Test
  void log_starts_with_the_image_line() throws Exception {
    Workload host = runtime.launch(spec("true").build());
    Workload unknown = runtime.launch(spec("true").image("gcr.io/x/y:1").build());
    Workload none = runtime.launch(spec("true").image(null).build());
    await(host);
    await(unknown);
    await(none);
    assertThat(log(host)).isEqualTo("[keel] image alpine → host programs (/bin/sh and PATH)\n");
    assertThat(log(unknown))
        .isEqualTo(
            "[keel] image gcr.io/x/y:1 → image 'gcr.io/x/y:1' is not in the image map;"
                + " running host programs\n");
    assertThat(log(none)).isEqualTo("[keel] image (none) → host programs (no image given)\n");
  }

  @Test
  void python_images_run_the_system_python() throws Exception {
    String python = ImageMap.defaults().resolve("python:3.11").programs().get("python3");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of(python)));
    Workload w =
        runtime.launch(
            spec("python3", "-c", "import sys; print(sys.executable)")
                .image("python:3.11")
                .build());
    assertThat(await(w).phase()).isEqualTo(Phase.SUCCEEDED);
    assertThat(log(w))
        .startsWith("[keel] image python:3.11 → local " + python + "\n")
        .endsWith(python + "\n");
  }

  @Test
  void stdin_is_empty() throws Exception {
    Workload w = runtime.launch(spec("cat").timeout(Duration.ofSeconds(10)).build());
    assertThat(await(w).reason()).isEqualTo("Completed");
  }

  @Test
  void exit_codes_decide_the_phase() throws Exception {
    Workload ok = runtime.launch(spec("sh", "-c", "exit 0").build());
    Workload bad = runtime.launch(spec("sh", "-c", "echo oops >&2; exit 3").build());
    WorkloadStatus okStatus = await(ok);
    assertThat(okStatus.phase()).isEqualTo(Phase.SUCCEEDED);
    assertThat(okStatus.exitCode()).isZero();
    assertThat(okStatus.reason()).isEqualTo("Completed");
    assertThat(okStatus.startedAt()).isBeforeOrEqualTo(okStatus.finishedAt());
    WorkloadStatus st = await(bad);
    assertThat(st.phase()).isEqualTo(Phase.FAILED);
    assertThat(st.exitCode()).isEqualTo(3);
    assertThat(st.reason()).isEqualTo("Error");
    assertThat(st.message()).isEqualTo("exit code 3");
    assertThat(log(bad)).contains("oops\n");
  }

  @Test
  void a_started_workload_records_its_pid_and_start_instant() throws Exception {
    Instant before = Instant.now();
    Workload w = runtime.launch(spec("sleep", "5").build());
    await().atMost(Duration.ofSeconds(10)).until(() -> w.status().phase() == Phase.RUNNING);
    Instant running = Instant.now();
    WorkloadStatus st = w.status();
    assertThat(w.id()).isEqualTo("local:" + st.pid());
    assertThat(st.reason()).isEqualTo("Started");
    assertThat(st.pidStartedAt()).isBetween(before, running).isEqualTo(st.startedAt());
    ProcessHandle h = ProcessHandle.of(st.pid()).orElseThrow();
    assertThat(Duration.between(h.info().startInstant().orElseThrow(), st.pidStartedAt()).abs())
        .isLessThanOrEqualTo(LocalRuntime.START_TOLERANCE);
    w.cancel();
    assertThat(await(w).pid()).isEqualTo(st.pid());
  }

  @Test
  void the_recorded_pid_and_start_instant_let_killStale_find_the_process() throws Exception {
    Workload w = runtime.launch(spec("sh", "-c", "sleep 300 & wait").build());
    List<ProcessHandle> tree = descendants(w, 1);
    WorkloadStatus st = w.status();
    assertThat(LocalRuntime.killStale(st.pid(), st.pidStartedAt().minusSeconds(30))).isFalse();
    assertThat(LocalRuntime.killStale(st.pid(), st.pidStartedAt())).isTrue();
    WorkloadStatus ended = await(w);
    assertThat(ended.phase()).isEqualTo(Phase.FAILED);
    assertThat(ended.reason()).isEqualTo("Error"); // killed from outside, not canceled
    assertThat(runningAfter(tree.get(0).pid(), 3000)).isFalse();
  }

  @Test
  void a_missing_program_is_named_in_status_and_log() throws Exception {
    Workload w = runtime.launch(spec("my_program", "--flag").image("gcr.io/x").build());
    WorkloadStatus st = await(w);
    String expected = "program 'my_program' not found (image 'gcr.io/x' → host PATH)";
    assertThat(st.phase()).isEqualTo(Phase.FAILED);
    assertThat(st.reason()).isEqualTo("ProgramNotFound");
    assertThat(st.message()).isEqualTo(expected);
    assertThat(st.pid()).isNull();
    assertThat(log(w)).endsWith("[keel] " + expected + "\n");
  }

  @Test
  void a_missing_program_path_is_named_too() throws Exception {
    WorkloadStatus st = await(runtime.launch(spec("./not-here.sh").build()));
    assertThat(st.reason()).isEqualTo("ProgramNotFound");
    assertThat(st.message()).contains("'./not-here.sh'");
  }

  @Test
  void programs_are_found_on_the_spec_path() throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path tool = bin.resolve("my-tool");
    Files.writeString(tool, "#!/bin/sh\necho tool ran with \"$1\"\n");
    tool.toFile().setExecutable(true);
    Workload w =
        runtime.launch(
            spec("my-tool", "x y").env(Map.of("PATH", bin + ":" + System.getenv("PATH"))).build());
    assertThat(await(w).phase()).isEqualTo(Phase.SUCCEEDED);
    assertThat(log(w)).contains("tool ran with x y\n");
  }

  @Test
  void an_empty_command_fails_without_throwing() throws Exception {
    WorkloadStatus st = await(runtime.launch(spec().build()));
    assertThat(st.phase()).isEqualTo(Phase.FAILED);
    assertThat(st.reason()).isEqualTo("LaunchFailed");
  }

  @Test
  void the_log_is_capped_with_one_truncation_line_of_its_own() throws Exception {
    Workload w =
        runtime.launch(
            spec("sh", "-c", "head -c 100000 /dev/zero | tr '\\0' x; echo; echo more")
                .logLimitBytes(1000)
                .build());
    assertThat(await(w).phase()).isEqualTo(Phase.SUCCEEDED);
    assertThat(log(w))
        .isEqualTo(HOST_IMAGE_LINE + "x".repeat(1000) + "\n[keel] log truncated at 1000 bytes\n");
  }

  @Test
  void output_exactly_at_the_cap_is_not_truncated() throws Exception {
    Workload w =
        runtime.launch(
            spec("sh", "-c", "head -c 1000 /dev/zero | tr '\\0' x").logLimitBytes(1000).build());
    assertThat(await(w).phase()).isEqualTo(Phase.SUCCEEDED);
    assertThat(log(w)).isEqualTo(HOST_IMAGE_LINE + "x".repeat(1000));
  }

  @Test
  void a_log_written_for_seconds_stays_near_its_cap_and_ends_exactly_at_it() throws Exception {
    // 200 lines of 1001 bytes, about 10 ms apart: some 200 KB over two seconds or more
    String script =
        "line=$(head -c 1000 /dev/zero | tr '\\0' y); i=0;"
            + " while [ $i -lt 200 ]; do echo \"$line\"; i=$((i+1)); sleep 0.01; done";
    Workload w = runtime.launch(spec("sh", "-c", script).logLimitBytes(4000).build());
    long largest = 0;
    int samples = 0;
    while (!w.completion().isDone()) {
      if (Files.exists(w.spec().logFile())) {
        largest = Math.max(largest, Files.size(w.spec().logFile()));
        samples++;
      }
      Thread.sleep(5);
    }
    assertThat(await(w).phase()).isEqualTo(Phase.SUCCEEDED);
    assertThat(samples).as("samples taken while it ran").isGreaterThan(10);
    // generous: whatever the process writes between two checks, far below the 200 KB it writes
    assertThat(largest).isLessThan(4000 + 64 * 1024);
    String lines = ("y".repeat(1000) + "\n").repeat(4);
    assertThat(log(w))
        .isEqualTo(
            HOST_IMAGE_LINE + lines.substring(0, 4000) + "\n[keel] log truncated at 4000 bytes\n");
  }

  @Test
  void a_truncated_log_that_times_out_ends_with_both_lines() throws Exception {
    Workload w =
        runtime.launch(
            spec("sh", "-c", "head -c 5000 /dev/zero | tr '\\0' x; sleep 30")
                .logLimitBytes(1000)
                .timeout(Duration.ofMillis(1500))
                .build());
    assertThat(await(w).reason()).isEqualTo("Timeout");
    assertThat(log(w))
        .isEqualTo(
            HOST_IMAGE_LINE
                + "x".repeat(1000)
                + "\n[keel] log truncated at 1000 bytes\n"
                + "[keel] ran longer than its timeout of 1500 ms\n");
  }

  @Test
  void stdout_and_stderr_both_land_in_the_log_in_order() throws Exception {
    Workload w =
        runtime.launch(
            spec(
                    "sh",
                    "-c",
                    "echo out1; echo err1 >&2; echo out2; sh -c 'echo err2 >&2'; printf out3;"
                        + " printf err3 >&2")
                .build());
    assertThat(await(w).phase()).isEqualTo(Phase.SUCCEEDED);
    assertThat(log(w)).isEqualTo(HOST_IMAGE_LINE + "out1\nerr1\nout2\nerr2\nout3err3");
  }

  @Test
  void a_keel_line_after_output_without_a_newline_starts_a_line_of_its_own() throws Exception {
    Workload w =
        runtime.launch(
            spec("sh", "-c", "printf abc; sleep 30").timeout(Duration.ofMillis(500)).build());
    assertThat(await(w).reason()).isEqualTo("Timeout");
    assertThat(log(w))
        .isEqualTo(HOST_IMAGE_LINE + "abc\n[keel] ran longer than its timeout of 500 ms\n");
  }

  @Test
  void a_keel_line_after_a_newline_adds_no_empty_line() throws Exception {
    Workload w = runtime.launch(spec("sh", "-c", "echo abc; sleep 30").build());
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(log(w)).endsWith("abc\n"));
    w.cancel();
    assertThat(await(w).reason()).isEqualTo("Canceled");
    assertThat(log(w)).isEqualTo(HOST_IMAGE_LINE + "abc\n[keel] canceled\n");
  }

  @Test
  void the_log_can_be_read_while_the_process_runs() throws Exception {
    Workload w = runtime.launch(spec("sh", "-c", "echo first; sleep 30").build());
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(log(w)).contains("first\n"));
    assertThat(w.status().phase()).isEqualTo(Phase.RUNNING);
    w.cancel();
    await(w);
  }

  @Test
  void a_timeout_kills_the_tree_and_fails_the_workload() throws Exception {
    long start = System.nanoTime();
    Workload w =
        runtime.launch(
            spec("sh", "-c", "sleep 300 & echo started; wait")
                .timeout(Duration.ofMillis(800))
                .build());
    await().atMost(Duration.ofSeconds(10)).until(() -> w.status().pid() != null);
    List<ProcessHandle> tree = descendants(w, 1);
    WorkloadStatus st = await(w);
    assertThat(st.phase()).isEqualTo(Phase.FAILED);
    assertThat(st.reason()).isEqualTo("Timeout");
    assertThat(st.message()).contains("800 ms");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(log(w)).contains("[keel] " + st.message() + "\n");
    for (ProcessHandle h : tree) {
      assertThat(runningAfter(h.pid(), 3000)).as("%s still running", h).isFalse();
    }
  }

  @Test
  void cancel_kills_the_whole_process_tree() throws Exception {
    Workload w = runtime.launch(spec("sh", "-c", "sleep 300 & sleep 300 & wait").build());
    List<ProcessHandle> tree = descendants(w, 2);
    assertThat(tree)
        .allSatisfy(h -> assertThat(h.info().commandLine().orElse("")).contains("sleep 300"));
    w.cancel();
    WorkloadStatus st = await(w);
    assertThat(st.phase()).isEqualTo(Phase.FAILED);
    assertThat(st.reason()).isEqualTo("Canceled");
    assertThat(runningAfter(st.pid(), 3000)).isFalse();
    for (ProcessHandle h : tree) {
      assertThat(runningAfter(h.pid(), 3000)).as("%s still running", h).isFalse();
    }
    w.cancel(); // a second cancel changes nothing
    assertThat(w.status()).isEqualTo(st);
  }

  @Test
  void a_canceled_shell_runs_no_further_command() throws Exception {
    Path marker = dir.resolve("after-cancel");
    Workload w =
        runtime.launch(spec("sh", "-c", "sleep 300; touch \"$0\"", marker.toString()).build());
    descendants(w, 1);
    w.cancel();
    assertThat(await(w).reason()).isEqualTo("Canceled");
    Thread.sleep(300); // give an escaped shell the time to do harm
    assertThat(marker).doesNotExist();
  }

  /** Waits until the workload's process has {@code count} descendants and returns them. */
  static List<ProcessHandle> descendants(Workload w, int count) {
    return await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(10))
        .until(
            () ->
                w.status().pid() == null
                    ? List.of()
                    : ProcessHandle.of(w.status().pid())
                        .map(h -> h.descendants().toList())
                        .orElse(List.of()),
            l -> l.size() == count);
  }

  @Test
  void ids_are_unique() throws Exception {
    List<Workload> all =
        List.of(
            runtime.launch(spec("true").build()),
            runtime.launch(spec("true").build()),
            runtime.launch(spec("nope-not-a-program").build()));
    for (Workload w : all) {
      await(w);
    }
    assertThat(Set.copyOf(all.stream().map(Workload::id).toList())).hasSize(3);
  }
}
