package dev.keel.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ValidationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalRuntimeTest {
  @TempDir Path dir;
  LocalRuntime runtime = LocalRuntime.builder().parallelism(4).build();
  int n;

  @AfterEach
  void close() {
    runtime.close();
  }

  WorkloadSpec.Builder spec(String... command) {
    n++;
    return WorkloadSpec.builder("w" + n)
        .image("alpine")
        .command(command)
        .workingDir(dir.resolve("w" + n))
        .logFile(dir.resolve("w" + n + ".log"));
  }

  static WorkloadStatus await(Workload w) throws Exception {
    return w.completion().get(30, TimeUnit.SECONDS);
  }

  String log(Workload w) throws Exception {
    return Files.readString(w.spec().logFile());
  }

  @Test
  void argv_reaches_the_program_verbatim_without_a_shell() throws Exception {
    Workload w =
        runtime.launch(
            spec("printf", "[%s]\\n", "two words", "$(echo no)", "a;b", "'q'", "*").build());
    assertThat(await(w).phase()).isEqualTo(Phase.SUCCEEDED);
    assertThat(log(w)).contains("[two words]\n[$(echo no)]\n[a;b]\n['q']\n[*]\n");
  }

  @Test
  void env_working_dir_and_log_header() throws Exception {
    Workload w =
        runtime.launch(
            spec("sh", "-c", "echo \"$GREETING from $(pwd)\"")
                .env(Map.of("GREETING", "hello"))
                .build());
    assertThat(await(w).exitCode()).isZero();
    String log = log(w);
    assertThat(log.lines().findFirst().orElseThrow())
        .startsWith("[keel] image alpine → host programs");
    assertThat(log).contains("hello from " + w.spec().workingDir().toRealPath());
  }

  @Test
  void exit_codes_fail_the_workload() throws Exception {
    WorkloadStatus st = await(runtime.launch(spec("sh", "-c", "echo oops >&2; exit 3").build()));
    assertThat(st.phase()).isEqualTo(Phase.FAILED);
    assertThat(st.exitCode()).isEqualTo(3);
    assertThat(st.reason()).isEqualTo("Error");
    assertThat(st.message()).isEqualTo("exit code 3");
    assertThat(st.pid()).isNotNull();
  }

  @Test
  void missing_program_is_named() throws Exception {
    Workload w = runtime.launch(spec("my_program", "--flag").image("gcr.io/x/y").build());
    WorkloadStatus st = await(w);
    assertThat(st.phase()).isEqualTo(Phase.FAILED);
    assertThat(st.reason()).isEqualTo("ProgramNotFound");
    assertThat(st.message()).contains("program 'my_program' not found").contains("gcr.io/x/y");
    assertThat(log(w)).contains("program 'my_program' not found");
  }

  @Test
  void log_is_capped_with_one_truncation_line() throws Exception {
    Workload w =
        runtime.launch(
            spec("sh", "-c", "i=0; while [ $i -lt 2000 ]; do echo 0123456789; i=$((i+1)); done")
                .logLimitBytes(1000)
                .build());
    assertThat(await(w).phase()).isEqualTo(Phase.SUCCEEDED);
    String log = log(w);
    assertThat(log).contains("[keel] log truncated at 1000 bytes");
    assertThat(log.length()).isLessThan(1300);
    assertThat(log.split("log truncated", -1)).hasSize(2);
  }

  @Test
  void timeout_kills_and_fails() throws Exception {
    long start = System.nanoTime();
    WorkloadStatus st =
        await(runtime.launch(spec("sleep", "30").timeout(Duration.ofMillis(300)).build()));
    assertThat(st.phase()).isEqualTo(Phase.FAILED);
    assertThat(st.reason()).isEqualTo("Timeout");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void cancel_kills_the_whole_process_tree() throws Exception {
    Path pids = dir.resolve("pids");
    Workload w =
        runtime.launch(
            spec(
                    "sh",
                    "-c",
                    "sleep 300 & echo $! >> \"$0\"; sleep 300 & echo $! >> \"$0\"; wait",
                    pids.toString())
                .build());
    long deadline = System.currentTimeMillis() + 10_000;
    while ((!Files.exists(pids) || Files.readAllLines(pids).size() < 2)
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    List<Long> children = Files.readAllLines(pids).stream().map(Long::parseLong).toList();
    w.cancel();
    WorkloadStatus st = await(w);
    assertThat(st.reason()).isEqualTo("Canceled");
    for (long pid : children) {
      assertThat(runningWithin(pid, 3000)).as("child %d still running", pid).isFalse();
    }
  }

  /** Whether the process still runs after up to {@code millis}: zombies count as dead. */
  static boolean runningWithin(long pid, long millis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + millis;
    while (System.currentTimeMillis() < deadline) {
      try {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        char state = stat.charAt(stat.lastIndexOf(')') + 2);
        if (state == 'Z' || state == 'X') {
          return false;
        }
      } catch (java.io.IOException gone) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }

  @Test
  void cancel_of_a_queued_workload_never_starts_it() throws Exception {
    LocalRuntime one = LocalRuntime.builder().parallelism(1).build();
    try {
      Workload busy = one.launch(spec("sleep", "30").build());
      Path marker = dir.resolve("ran");
      Workload queued = one.launch(spec("touch", marker.toString()).build());
      assertThat(queued.status().phase()).isEqualTo(Phase.PENDING);
      assertThat(queued.status().message()).contains("parallelism");
      queued.cancel();
      assertThat(await(queued).reason()).isEqualTo("Canceled");
      busy.cancel();
      await(busy);
      Thread.sleep(200);
      assertThat(marker).doesNotExist();
    } finally {
      one.close();
    }
  }

  @Test
  void parallelism_bounds_how_many_run_at_once() throws Exception {
    LocalRuntime two = LocalRuntime.builder().parallelism(2).build();
    try {
      List<Workload> all = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        all.add(two.launch(spec("sleep", "0.3").build()));
      }
      List<WorkloadStatus> done = new ArrayList<>();
      for (Workload w : all) {
        done.add(await(w));
      }
      assertThat(maxOverlap(done)).isEqualTo(2);
    } finally {
      two.close();
    }
  }

  @Test
  void cpu_requests_are_admitted_against_the_machine() throws Exception {
    LocalRuntime small = LocalRuntime.builder().parallelism(8).machineCpu(2).build();
    try {
      Workload a =
          small.launch(spec("sleep", "0.3").resources(ResourceRequest.of("1500m", null)).build());
      Workload b =
          small.launch(spec("sleep", "0.3").resources(ResourceRequest.of("1.5", null)).build());
      assertThat(b.status().message()).contains("cpu");
      assertThat(maxOverlap(List.of(await(a), await(b)))).isEqualTo(1);
      Workload huge = small.launch(spec("true").resources(ResourceRequest.of("64", "1Ti")).build());
      assertThat(await(huge).phase()).isEqualTo(Phase.SUCCEEDED);
      assertThat(Files.readString(huge.spec().logFile())).contains("running it alone");
    } finally {
      small.close();
    }
  }

  private static int maxOverlap(List<WorkloadStatus> statuses) {
    int max = 0;
    for (WorkloadStatus s : statuses) {
      Instant t = s.startedAt().plusMillis(50);
      int running = 0;
      for (WorkloadStatus o : statuses) {
        if (!o.startedAt().isAfter(t) && o.finishedAt().isAfter(t)) {
          running++;
        }
      }
      max = Math.max(max, running);
    }
    return max;
  }

  @Test
  void image_map_defaults_and_a_user_file() throws Exception {
    ImageMap defaults = ImageMap.defaults();
    assertThat(defaults.resolve("python:3.11").programs()).containsKey("python3");
    assertThat(defaults.resolve("registry.access.redhat.com/ubi9/python-311:latest").programs())
        .containsKey("python3");
    assertThat(defaults.resolve("alpine").description()).contains("host programs");
    assertThat(defaults.resolve("keel/java:17").env()).containsKey("CLASSPATH");
    assertThat(defaults.resolve("gcr.io/my/image").description())
        .contains("'gcr.io/my/image' is not in the image map");
    Path file = dir.resolve("images.yaml");
    Files.writeString(
        file,
        """
        images:
          - pattern: "gcr.io/my/*"
            programs: {trainer: /bin/echo}
            env: {MODE: local}
        """);
    ImageMap map = ImageMap.load(file);
    assertThat(map.resolve("gcr.io/my/image").programs()).containsEntry("trainer", "/bin/echo");
    assertThat(map.resolve("python:3.11").programs()).containsKey("python3");
    LocalRuntime mapped = LocalRuntime.builder().imageMap(map).build();
    try {
      Workload w = mapped.launch(spec("trainer", "fit").image("gcr.io/my/image").build());
      assertThat(await(w).phase()).isEqualTo(Phase.SUCCEEDED);
      assertThat(log(w)).contains("fit");
    } finally {
      mapped.close();
    }
  }

  @Test
  void a_bad_image_map_names_the_entry_and_field() throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, "images:\n  - programs: {x: /bin/x}\n    colour: red\n");
    assertThatThrownBy(() -> ImageMap.load(file))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("images[0].colour: unknown field")
        .hasMessageContaining("images[0].pattern: required");
  }

  @Test
  void tagged_leftovers_are_found_and_killed() throws Exception {
    String tag = "test-" + System.nanoTime();
    Process p =
        new ProcessBuilder("sh", "-c", "sleep 300 & wait")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    ProcessBuilder tagged = new ProcessBuilder("sleep", "300");
    tagged.environment().put("KEEL_RUN_ID", tag);
    Process t = tagged.start();
    try {
      assertThat(LocalRuntime.killTagged("KEEL_RUN_ID", tag)).isEqualTo(1);
      assertThat(t.waitFor(5, TimeUnit.SECONDS)).isTrue();
      assertThat(p.isAlive()).isTrue();
    } finally {
      p.destroyForcibly();
      t.destroyForcibly();
    }
  }
}
