package dev.keel.runtime;

import static dev.keel.runtime.Fixture.await;
import static dev.keel.runtime.Fixture.maxOverlap;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Admission by parallelism, CPU and memory; queueing, cancel and close. */
class AdmissionTest {
  @TempDir Path dir;

  WorkloadSpec.Builder spec(String... command) {
    return Fixture.spec(dir, command);
  }

  @Test
  void parallelism_bounds_how_many_run_at_once() throws Exception {
    try (LocalRuntime two = LocalRuntime.builder().parallelism(2).build()) {
      List<Workload> all = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        all.add(two.launch(spec("sleep", "0.3").build()));
      }
      assertThat(two.runningCount()).isEqualTo(2);
      assertThat(two.queuedCount()).isEqualTo(4);
      assertThat(all.get(5).status().phase()).isEqualTo(Phase.PENDING);
      assertThat(all.get(5).status().reason()).isEqualTo("Queued");
      assertThat(all.get(5).status().message()).isEqualTo("waiting: 2/2 running (parallelism)");
      List<WorkloadStatus> done = new ArrayList<>();
      for (Workload w : all) {
        done.add(await(w));
      }
      assertThat(done).allSatisfy(s -> assertThat(s.phase()).isEqualTo(Phase.SUCCEEDED));
      assertThat(maxOverlap(done)).isEqualTo(2);
      // first in, first out: the i-th starts only once all but one of those before it ended
      for (int i = 2; i < 6; i++) {
        WorkloadStatus s = done.get(i);
        long endedBefore =
            done.subList(0, i).stream().filter(o -> !o.finishedAt().isAfter(s.startedAt())).count();
        assertThat(endedBefore).as("workload %d", i).isGreaterThanOrEqualTo(i - 1);
      }
    }
  }

  @Test
  void cpu_requests_are_admitted_against_the_machine() throws Exception {
    try (LocalRuntime small = LocalRuntime.builder().parallelism(8).machineCpu(2).build()) {
      Workload a =
          small.launch(spec("sleep", "0.3").resources(ResourceRequest.of("1500m", null)).build());
      Workload b =
          small.launch(spec("sleep", "0.3").resources(ResourceRequest.of("1.5", null)).build());
      Workload c = small.launch(spec("sleep", "0.3").build());
      assertThat(b.status().message()).contains("waiting for 1.50 cpu");
      assertThat(c.status().phase()).isEqualTo(Phase.PENDING); // behind b: first in, first out
      assertThat(maxOverlap(List.of(await(a), await(b)))).isEqualTo(1);
      await(c);
    }
  }

  @Test
  void memory_requests_are_admitted_against_the_machine() throws Exception {
    try (LocalRuntime small =
        LocalRuntime.builder().parallelism(8).machineMemoryBytes(1L << 30).build()) {
      Workload a =
          small.launch(spec("sleep", "0.3").resources(ResourceRequest.of(null, "600Mi")).build());
      Workload b =
          small.launch(spec("sleep", "0.3").resources(ResourceRequest.of(null, "600Mi")).build());
      assertThat(b.status().message()).contains("600 MiB");
      assertThat(maxOverlap(List.of(await(a), await(b)))).isEqualTo(1);
    }
  }

  @Test
  void a_request_bigger_than_the_machine_runs_alone() throws Exception {
    try (LocalRuntime small = LocalRuntime.builder().machineCpu(2).build()) {
      Workload huge =
          small.launch(spec("sleep", "0.2").resources(ResourceRequest.of("64", "1Ti")).build());
      Workload next = small.launch(spec("true").resources(ResourceRequest.of("1", null)).build());
      assertThat(next.status().phase()).isEqualTo(Phase.PENDING);
      assertThat(await(huge).phase()).isEqualTo(Phase.SUCCEEDED);
      assertThat(await(next).startedAt()).isAfterOrEqualTo(huge.status().finishedAt());
      assertThat(Files.readString(huge.spec().logFile()))
          .contains("[keel] requests 64.0 cpu and 1048576 MiB")
          .contains("running it alone");
    }
  }

  @Test
  void cancel_of_a_queued_workload_never_starts_it() throws Exception {
    try (LocalRuntime one = LocalRuntime.builder().parallelism(1).build()) {
      Workload busy = one.launch(spec("sleep", "30").build());
      Path marker = dir.resolve("ran");
      Workload queued = one.launch(spec("touch", marker.toString()).build());
      Workload after = one.launch(spec("true").build());
      assertThat(queued.status().phase()).isEqualTo(Phase.PENDING);
      assertThat(queued.id()).isNotEqualTo(after.id());
      queued.cancel();
      WorkloadStatus st = await(queued);
      assertThat(st.reason()).isEqualTo("Canceled");
      assertThat(st.pid()).isNull();
      assertThat(one.queuedCount()).isEqualTo(1);
      busy.cancel();
      assertThat(await(after).phase()).isEqualTo(Phase.SUCCEEDED);
      assertThat(marker).doesNotExist();
    }
  }

  @Test
  void close_cancels_running_and_queued_and_refuses_more() throws Exception {
    LocalRuntime one = LocalRuntime.builder().parallelism(1).build();
    Workload running = one.launch(spec("sleep", "300").build());
    Workload queued = one.launch(spec("sleep", "300").build());
    org.awaitility.Awaitility.await().until(() -> running.status().pid() != null);
    one.close();
    assertThat(running.completion()).isDone();
    assertThat(queued.completion()).isDone();
    assertThat(running.status().reason()).isEqualTo("Canceled");
    assertThat(queued.status().reason()).isEqualTo("Canceled");
    assertThat(Fixture.runningAfter(running.status().pid(), 3000)).isFalse();
    WorkloadStatus late = await(one.launch(spec("true").build()));
    assertThat(late.phase()).isEqualTo(Phase.FAILED);
    assertThat(late.reason()).isEqualTo("Canceled");
    one.close(); // idempotent
  }

  @Test
  void many_threads_launch_and_callbacks_launch_and_cancel_more() throws Exception {
    ExecutorService callers = Executors.newFixedThreadPool(8);
    try (LocalRuntime rt = LocalRuntime.builder().parallelism(3).build()) {
      List<CompletableFuture<WorkloadStatus>> followUps =
          Collections.synchronizedList(new ArrayList<>());
      List<Future<Workload>> launched = new ArrayList<>();
      for (int i = 0; i < 80; i++) {
        int k = i;
        launched.add(
            callers.submit(
                () -> {
                  Workload w = rt.launch(spec(k % 10 == 0 ? "false" : "true").build());
                  w.completion()
                      .thenAccept(
                          s -> {
                            // a callback may launch and cancel: no lock is held while it runs
                            Workload f = rt.launch(spec("sleep", "30").build());
                            f.cancel();
                            followUps.add(f.completion());
                          });
                  return w;
                }));
      }
      int failed = 0;
      for (Future<Workload> f : launched) {
        WorkloadStatus s = await(f.get(30, TimeUnit.SECONDS));
        failed += s.phase() == Phase.FAILED ? 1 : 0;
      }
      assertThat(failed).isEqualTo(8);
      org.awaitility.Awaitility.await().until(() -> followUps.size() == 80);
      for (CompletableFuture<WorkloadStatus> f : followUps) {
        assertThat(f.get(30, TimeUnit.SECONDS).reason()).isEqualTo("Canceled");
      }
      org.awaitility.Awaitility.await()
          .until(() -> rt.runningCount() == 0 && rt.queuedCount() == 0);
    } finally {
      callers.shutdownNow();
    }
  }

  @Test
  void a_namespace_at_its_quota_waits_while_other_namespaces_pass_it_by() throws Exception {
    java.util.Map<String, NamespaceQuota> quotas =
        java.util.Map.of("team-a", new NamespaceQuota(null, null, 1));
    try (LocalRuntime rt =
        LocalRuntime.builder()
            .parallelism(4)
            .quotas(ns -> quotas.getOrDefault(ns, NamespaceQuota.NONE))
            .build()) {
      Workload a1 = rt.launch(spec("sleep", "0.4").namespace("team-a").build());
      Workload a2 = rt.launch(spec("sleep", "0.1").namespace("team-a").build());
      Workload a3 = rt.launch(spec("sleep", "0.1").namespace("team-a").build());
      Workload b1 = rt.launch(spec("sleep", "0.1").namespace("team-b").build());
      assertThat(rt.runningCount()).isEqualTo(2); // a1 and b1: the machine had room for b1
      assertThat(a2.status().phase()).isEqualTo(Phase.PENDING);
      assertThat(a2.status().message())
          .isEqualTo("waiting: namespace team-a has 1/1 running (quota pods)");
      // b1 ran beside a1 rather than behind team-a's queue
      assertThat(await(b1).finishedAt()).isBefore(await(a1).finishedAt());
      List<WorkloadStatus> team = List.of(await(a1), await(a2), await(a3));
      assertThat(team).allSatisfy(st -> assertThat(st.phase()).isEqualTo(Phase.SUCCEEDED));
      assertThat(maxOverlap(team)).isEqualTo(1);
      assertThat(await(b1).phase()).isEqualTo(Phase.SUCCEEDED);
      assertThat(rt.queuedCount()).isZero();
      assertThat(rt.runningCount()).isZero();
    }
  }

  @Test
  void cpu_quota_of_a_namespace_is_shared_by_its_workloads() throws Exception {
    try (LocalRuntime rt =
        LocalRuntime.builder()
            .parallelism(8)
            .machineCpu(8)
            .quotas(ns -> new NamespaceQuota(1.0, null, null))
            .build()) {
      Workload a =
          rt.launch(
              spec("sleep", "0.3")
                  .namespace("n")
                  .resources(ResourceRequest.of("600m", null))
                  .build());
      Workload b =
          rt.launch(
              spec("sleep", "0.3")
                  .namespace("n")
                  .resources(ResourceRequest.of("600m", null))
                  .build());
      assertThat(b.status().message())
          .isEqualTo("waiting for 0.60 cpu of namespace n's quota (0.60 of 1.00 in use)");
      assertThat(maxOverlap(List.of(await(a), await(b)))).isEqualTo(1);
    }
  }
}
