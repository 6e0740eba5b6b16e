package dev.keel.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.Ids;
import dev.keel.core.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every store must do, whatever its database. Subclasses open a fresh, empty store. */
abstract class StoreContract {
  protected Store store;
  static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");

  protected abstract Store open();

  @BeforeEach
  void openStore() {
    store = open();
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  static RunRecord run(String id, String ns, String pipeline, Instant created, String state) {
    return new RunRecord(
        id,
        ns,
        null,
        null,
        "run " + id,
        null,
        pipeline,
        "{\"pipelineInfo\":{}}",
        null,
        "{\"parameters\":{}}",
        state,
        null,
        "AVAILABLE",
        created,
        created,
        null,
        null,
        null,
        "[]");
  }

  static TaskRecord task(String runId, String path, String state, String fingerprint) {
    return new TaskRecord(
        Ids.newId(),
        runId,
        null,
        path,
        path,
        path,
        "comp-" + path,
        state,
        1,
        fingerprint,
        null,
        "{}",
        "{\"parameters\":{\"x\":1}}",
        null,
        null,
        42L,
        T0,
        "/tmp/log",
        T0,
        T0,
        T0.plusSeconds(1));
  }

  @Test
  void records_round_trip() {
    PipelineRecord p = new PipelineRecord("p1", "ns", "pipe", "Pipe", "d", T0);
    store.pipelines().insert(p);
    assertThat(store.pipelines().get("p1")).contains(p);
    assertThat(store.pipelines().getByName("ns", "pipe")).contains(p);
    PipelineVersionRecord v =
        new PipelineVersionRecord("v1", "p1", "v1", "V1", null, "{}", "{\"a\":1}", T0);
    store.versions().insert(v);
    assertThat(store.versions().get("v1")).contains(v);
    assertThat(store.versions().latest("p1")).contains(v);
    ExperimentRecord e = new ExperimentRecord("e1", "ns", "exp", "d", "AVAILABLE", T0, null);
    store.experiments().insert(e);
    assertThat(store.experiments().get("e1")).contains(e);
    RunRecord r = run("r1", "ns", "pipe", T0, "PENDING");
    store.runs().insert(r);
    RunRecord stored = store.runs().get("r1").orElseThrow();
    assertThat(stored.displayName()).isEqualTo("run r1");
    assertThat(stored.createdAt()).isEqualTo(T0);
    TaskRecord t = task("r1", "a", "SUCCEEDED", "fp");
    assertThat(store.tasks().insertIfAbsent(t)).isEqualTo(t);
    assertThat(store.tasks().get(t.id())).contains(t);
    ArtifactRecord a =
        new ArtifactRecord(
            "a1", "r1", t.id(), "model", "file:///m", "system.Model", "{\"acc\":0.9}", T0);
    store.artifacts().insert(a);
    assertThat(store.artifacts().get("a1")).contains(a);
    assertThat(store.artifacts().listByTask(t.id())).containsExactly(a);
    EventRecord ev = new EventRecord("ev1", t.id(), "a1", "OUTPUT", "model", T0);
    store.events().insert(ev);
    assertThat(store.events().listByTask(t.id())).containsExactly(ev);
    assertThat(store.events().listByArtifact("a1")).containsExactly(ev);
  }

  @Test
  void names_are_unique_where_kfp_says_so() {
    store.pipelines().insert(new PipelineRecord("p1", "ns", "pipe", null, null, T0));
    assertThatThrownBy(
            () -> store.pipelines().insert(new PipelineRecord("p2", "ns", "pipe", null, null, T0)))
        .isInstanceOf(ConflictException.class)
        .hasMessage("pipeline 'pipe' already exists in namespace 'ns'");
    store.pipelines().insert(new PipelineRecord("p3", "other", "pipe", null, null, T0));
    store
        .experiments()
        .insert(new ExperimentRecord("e1", "ns", "exp", null, "AVAILABLE", T0, null));
    assertThatThrownBy(
            () ->
                store
                    .experiments()
                    .insert(new ExperimentRecord("e2", "ns", "exp", null, "AVAILABLE", T0, null)))
        .isInstanceOf(ConflictException.class);
    store.versions().insert(new PipelineVersionRecord("v1", "p1", "v", null, null, "{}", null, T0));
    assertThatThrownBy(
            () ->
                store
                    .versions()
                    .insert(new PipelineVersionRecord("v2", "p1", "v", null, null, "{}", null, T0)))
        .isInstanceOf(ConflictException.class);
  }

  @Test
  void default_experiment_is_created_once() {
    ExperimentRecord a = store.experiments().getOrCreateDefault("ns", T0);
    ExperimentRecord b = store.experiments().getOrCreateDefault("ns", T0.plusSeconds(5));
    assertThat(a).isEqualTo(b);
    assertThat(a.displayName()).isEqualTo("Default");
  }

  @Test
  void a_task_is_never_recorded_twice() {
    store.runs().insert(run("r1", "ns", "pipe", T0, "RUNNING"));
    TaskRecord first = store.tasks().insertIfAbsent(task("r1", "train", "RUNNING", null));
    TaskRecord second = store.tasks().insertIfAbsent(task("r1", "train", "PENDING", null));
    assertThat(second).isEqualTo(first);
    assertThat(store.tasks().listByRun("r1")).hasSize(1);
  }

  @Test
  void state_changes_append_to_the_history() {
    store.runs().insert(run("r1", "ns", "pipe", T0, "PENDING"));
    store.runs().updateState("r1", "RUNNING", null, T0.plusSeconds(1), null);
    store.runs().updateState("r1", "FAILED", "boom", T0.plusSeconds(2), T0.plusSeconds(2));
    RunRecord r = store.runs().get("r1").orElseThrow();
    assertThat(r.state()).isEqualTo("FAILED");
    assertThat(r.error()).isEqualTo("boom");
    assertThat(r.finishedAt()).isEqualTo(T0.plusSeconds(2));
    JsonNode history = Json.parse(r.stateHistory());
    assertThat(history.findValuesAsText("state")).containsExactly("PENDING", "RUNNING", "FAILED");
    assertThat(history.get(2).at("/error/message").asText()).isEqualTo("boom");
  }

  @Test
  void runs_page_newest_first_without_gaps_or_duplicates() {
    for (int i = 0; i < 250; i++) {
      // pairs share a timestamp so that ties are broken by id
      store
          .runs()
          .insert(
              run(
                  String.format("r%03d", i),
                  i % 5 == 0 ? "other" : "ns",
                  "pipe",
                  T0.plusSeconds(i / 2),
                  "SUCCEEDED"));
    }
    List<String> seen = new ArrayList<>();
    String token = "";
    Instant last = Instant.MAX;
    int pages = 0;
    do {
      Page<RunRecord> page = store.runs().list("ns", null, 70, token);
      assertThat(page.totalSize()).isEqualTo(200);
      for (RunRecord r : page.items()) {
        assertThat(r.namespace()).isEqualTo("ns");
        assertThat(r.createdAt()).isBeforeOrEqualTo(last);
        last = r.createdAt();
        seen.add(r.id());
      }
      token = page.nextPageToken();
      pages++;
    } while (!token.isEmpty());
    assertThat(pages).isEqualTo(3);
    assertThat(seen).hasSize(200).doesNotHaveDuplicates();
    assertThat(store.runs().list(null, null, 1000, null).items()).hasSize(250);
    assertThatThrownBy(() -> store.runs().list("ns", null, 10, "not-a-token"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid page token");
  }

  @Test
  void cache_lookup_is_scoped_to_namespace_and_pipeline_and_prefers_the_newest() {
    store.runs().insert(run("r1", "ns", "pipe", T0, "SUCCEEDED"));
    store.runs().insert(run("r2", "ns", "pipe", T0.plusSeconds(10), "SUCCEEDED"));
    store.runs().insert(run("r3", "other", "pipe", T0, "SUCCEEDED"));
    store.runs().insert(run("r4", "ns", "another", T0, "SUCCEEDED"));
    TaskRecord old = task("r1", "a", "SUCCEEDED", "fp");
    TaskRecord newer =
        new TaskRecord(
            Ids.newId(),
            "r2",
            null,
            "a",
            "a",
            "a",
            "comp-a",
            "SUCCEEDED",
            1,
            "fp",
            null,
            "{}",
            "{}",
            null,
            null,
            null,
            null,
            null,
            T0,
            T0,
            T0.plusSeconds(20));
    store.tasks().insertIfAbsent(old);
    store.tasks().insertIfAbsent(newer);
    store.tasks().insertIfAbsent(task("r3", "a", "SUCCEEDED", "other-fp"));
    store.tasks().insertIfAbsent(task("r2", "failed", "FAILED", "fp-failed"));
    assertThat(store.tasks().findCached("ns", "pipe", "fp"))
        .map(TaskRecord::id)
        .contains(newer.id());
    assertThat(store.tasks().findCached("other", "pipe", "fp")).isEmpty();
    assertThat(store.tasks().findCached("ns", "another", "fp")).isEmpty();
    assertThat(store.tasks().findCached("ns", "pipe", "fp-failed")).isEmpty();
  }

  @Test
  void leases_have_one_owner_until_they_expire() {
    store.runs().insert(run("r1", "ns", "pipe", T0, "RUNNING"));
    Duration ttl = Duration.ofSeconds(10);
    assertThat(store.runs().acquireLease("r1", "a", T0, ttl)).isTrue();
    assertThat(store.runs().acquireLease("r1", "b", T0.plusSeconds(5), ttl)).isFalse();
    assertThat(store.runs().renewLease("r1", "b", T0.plusSeconds(5), ttl)).isFalse();
    assertThat(store.runs().renewLease("r1", "a", T0.plusSeconds(5), ttl)).isTrue();
    assertThat(store.runs().leaseOwner("r1", T0.plusSeconds(14))).contains("a");
    assertThat(store.runs().acquireLease("r1", "b", T0.plusSeconds(14), ttl)).isFalse();
    assertThat(store.runs().acquireLease("r1", "b", T0.plusSeconds(16), ttl)).isTrue();
    assertThat(store.runs().leaseOwner("r1", T0.plusSeconds(16))).contains("b");
    store.runs().releaseLease("r1", "a");
    assertThat(store.runs().leaseOwner("r1", T0.plusSeconds(16))).contains("b");
    store.runs().releaseLease("r1", "b");
    assertThat(store.runs().leaseOwner("r1", T0.plusSeconds(16))).isEmpty();
  }

  @Test
  void unfinished_runs_are_listed_for_resume() {
    store.runs().insert(run("r1", "ns", "pipe", T0, "RUNNING"));
    store.runs().insert(run("r2", "ns", "pipe", T0, "SUCCEEDED"));
    store.runs().insert(run("r3", "ns", "pipe", T0, "PENDING"));
    store.runs().insert(run("r4", "ns", "pipe", T0, "CANCELING"));
    Set<String> ids = new HashSet<>();
    store.runs().listUnfinished().forEach(r -> ids.add(r.id()));
    assertThat(ids).containsExactlyInAnyOrder("r1", "r3", "r4");
  }

  @Test
  void deleting_a_run_removes_its_tasks_artifacts_and_events() {
    store.runs().insert(run("r1", "ns", "pipe", T0, "SUCCEEDED"));
    TaskRecord t = store.tasks().insertIfAbsent(task("r1", "a", "SUCCEEDED", null));
    store
        .artifacts()
        .insert(
            new ArtifactRecord("a1", "r1", t.id(), "x", "file:///x", "system.Artifact", "{}", T0));
    store.events().insert(new EventRecord("e1", t.id(), "a1", "OUTPUT", "x", T0));
    store.runs().delete("r1");
    assertThat(store.runs().get("r1")).isEmpty();
    assertThat(store.tasks().get(t.id())).isEmpty();
    assertThat(store.artifacts().get("a1")).isEmpty();
    assertThat(store.events().listByTask(t.id())).isEmpty();
  }

  @Test
  void a_failed_transaction_writes_nothing() {
    store.runs().insert(run("r1", "ns", "pipe", T0, "RUNNING"));
    TaskRecord t = task("r1", "a", "RUNNING", null);
    assertThatThrownBy(
            () ->
                store.inTransaction(
                    tx -> {
                      tx.tasks().insertIfAbsent(t);
                      tx.artifacts()
                          .insert(new ArtifactRecord("a1", "r1", t.id(), "x", "u", "t", "{}", T0));
                      throw new IllegalStateException("crash before commit");
                    }))
        .hasMessage("crash before commit");
    assertThat(store.tasks().listByRun("r1")).isEmpty();
    assertThat(store.artifacts().get("a1")).isEmpty();
    store.inTransaction(
        tx -> {
          tx.tasks().insertIfAbsent(t);
          tx.runs().updateState("r1", "SUCCEEDED", null, T0, T0);
          return null;
        });
    assertThat(store.tasks().listByRun("r1")).hasSize(1);
    assertThat(store.runs().get("r1").orElseThrow().state()).isEqualTo("SUCCEEDED");
  }

  @Test
  void a_batch_commits_its_writes_and_a_transaction_failing_inside_it_undoes_only_its_own() {
    store.runs().insert(run("r1", "ns", "pipe", T0, "RUNNING"));
    TaskRecord a = task("r1", "a", "RUNNING", null);
    TaskRecord b = task("r1", "b", "RUNNING", null);
    store.batch(
        () -> {
          store.tasks().insertIfAbsent(a);
          assertThatThrownBy(
                  () ->
                      store.inTransaction(
                          tx -> {
                            tx.tasks().insertIfAbsent(b);
                            throw new IllegalStateException("crash inside");
                          }))
              .hasMessage("crash inside");
          store.inTransaction(
              tx -> {
                tx.runs().updateState("r1", "SUCCEEDED", null, T0, T0);
                return null;
              });
        });
    assertThat(store.tasks().listByRun("r1")).extracting(TaskRecord::path).containsExactly("a");
    assertThat(store.runs().get("r1").orElseThrow().state()).isEqualTo("SUCCEEDED");
  }

  @Test
  void updating_a_missing_task_says_so() {
    assertThatThrownBy(() -> store.tasks().update(task("nope", "a", "RUNNING", null)))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void run_events_are_listed_oldest_first_and_go_with_their_run() {
    store.runs().insert(run("r1", "ns", "pipe", T0, "RUNNING"));
    store
        .runEvents()
        .insert(new RunEventRecord("e2", "r1", T0.plusSeconds(2), "Warning", "second"));
    store.runEvents().insert(new RunEventRecord("e1", "r1", T0.plusSeconds(1), "Normal", "first"));
    assertThat(store.runEvents().listByRun("r1"))
        .extracting(RunEventRecord::message)
        .containsExactly("first", "second");
    store.runs().delete("r1");
    assertThat(store.runEvents().listByRun("r1")).isEmpty();
  }

  @Test
  void secrets_are_created_replaced_listed_and_deleted_per_namespace() {
    store.secrets().put("ns", "db", java.util.Map.of("user", "u1", "password", "p1"), T0);
    store.secrets().put("ns", "db", java.util.Map.of("user", "u2"), T0);
    store.secrets().put("other", "db", java.util.Map.of("user", "x"), T0);
    assertThat(store.secrets().get("ns", "db")).contains(java.util.Map.of("user", "u2"));
    assertThat(store.secrets().list("ns")).containsExactly("db");
    assertThat(store.secrets().get("ns", "nope")).isEmpty();
    assertThat(store.secrets().delete("ns", "db")).isTrue();
    assertThat(store.secrets().delete("ns", "db")).isFalse();
    assertThat(store.secrets().get("other", "db")).isPresent();
  }

  // ------------------------------------------------------------------ added coverage

  /** Runs {@code n} copies of {@code work} at once on {@code n} threads; their results. */
  static <T> List<T> concurrently(int n, Callable<T> work) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  return work.call();
                }));
      }
      start.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> f : futures) {
        results.add(f.get(30, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void a_store_migrated_to_this_builds_schema_is_up_to_date() {
    Boolean current = store.withHandle(h -> Store.upToDate(h.getConnection()));
    assertThat(current).isTrue();
  }

  @Test
  void every_field_of_every_record_round_trips() {
    store.pipelines().insert(new PipelineRecord("p1", "ns", "pipe", "Pipe", "about", T0));
    PipelineVersionRecord v =
        new PipelineVersionRecord(
            "v1", "p1", "v1", "V 1", "first", "{\"pipelineInfo\":{\"name\":\"pipe\"}}", null, T0);
    store.versions().insert(v);
    assertThat(store.versions().get("v1")).contains(v);
    ExperimentRecord e =
        new ExperimentRecord("e1", "ns", "exp", null, "ARCHIVED", T0.plusMillis(1), null);
    store.experiments().insert(e);
    assertThat(store.experiments().get("e1")).contains(e);
    assertThat(store.experiments().getByName("ns", "exp")).contains(e);
    Instant created = T0.plusMillis(1234);
    RunRecord r =
        new RunRecord(
            "r1",
            "ns",
            "e1",
            "v1",
            "Run 1",
            "a run",
            "pipe",
            "{\"root\":{}}",
            "{\"platforms\":{}}",
            "{\"parameters\":{\"lr\":0.1}}",
            "FAILED",
            "boom",
            "ARCHIVED",
            created,
            created.plusMillis(5),
            created.plusSeconds(60),
            "rr1",
            "{\"metrics\":{}}",
            "[{\"update_time\":\"2026-11-01T10:00:01.234Z\",\"state\":\"FAILED\"}]");
    store.runs().insert(r);
    assertThat(store.runs().get("r1")).contains(r);
    // the experiment remembers its newest run
    assertThat(store.experiments().get("e1").orElseThrow().lastRunCreatedAt()).isEqualTo(created);
    TaskRecord full =
        new TaskRecord(
            "t1",
            "r1",
            "t0",
            "root/for-loop-2/3/train",
            "train",
            "Train",
            "comp-train",
            "SUCCEEDED",
            3,
            "fp",
            "t9",
            "{\"parameters\":{}}",
            "{\"artifacts\":{}}",
            "oops",
            "wl-1",
            4242L,
            T0.plusMillis(7),
            "/logs/train.log",
            T0,
            T0.plusMillis(8),
            T0.plusMillis(9));
    assertThat(store.tasks().insertIfAbsent(full)).isEqualTo(full);
    assertThat(store.tasks().get("t1")).contains(full);
    assertThat(store.tasks().getByPath("r1", "root/for-loop-2/3/train")).contains(full);
    TaskRecord sparse =
        new TaskRecord(
            "t2",
            "r1",
            null,
            "root/x",
            null,
            null,
            null,
            "PENDING",
            0,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            T0.plusMillis(1),
            null,
            null);
    assertThat(store.tasks().insertIfAbsent(sparse)).isEqualTo(sparse);
    assertThat(store.tasks().get("t2")).contains(sparse);
    ArtifactRecord a = new ArtifactRecord("a1", "r1", null, null, null, null, null, T0);
    store.artifacts().insert(a);
    assertThat(store.artifacts().listByRun("r1")).containsExactly(a);
    EventRecord ev = new EventRecord("ev1", "t1", "a1", "INPUT", null, T0);
    store.events().insert(ev);
    assertThat(store.events().listByArtifact("a1")).containsExactly(ev);
  }

  @Test
  void a_task_update_writes_every_mutable_field() {
    store.runs().insert(run("r1", "ns", "pipe", T0, "RUNNING"));
    TaskRecord t = store.tasks().insertIfAbsent(task("r1", "a", "PENDING", null));
    TaskRecord changed =
        new TaskRecord(
            t.id(),
            t.runId(),
            "parent",
            t.path(),
            "n2",
            "d2",
            "c2",
            "FAILED",
            2,
            "fp2",
            "cached",
            "{\"i\":2}",
            "{\"o\":2}",
            "err",
            "wl",
            null,
            null,
            "/log2",
            t.createdAt(),
            T0.plusSeconds(3),
            T0.plusSeconds(4));
    store.tasks().update(changed);
    assertThat(store.tasks().get(t.id())).contains(changed);
  }

  @Test
  void duplicates_and_missing_parents_are_named() {
    store.pipelines().insert(new PipelineRecord("p1", "ns", "pipe", null, null, T0));
    store.versions().insert(new PipelineVersionRecord("v1", "p1", "v", null, null, "{}", null, T0));
    assertThatThrownBy(
            () ->
                store
                    .versions()
                    .insert(new PipelineVersionRecord("v2", "p1", "v", null, null, "{}", null, T0)))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("pipeline version 'v'");
    assertThatThrownBy(
            () ->
                store
                    .versions()
                    .insert(
                        new PipelineVersionRecord("v3", "nope", "v", null, null, "{}", null, T0)))
        .isInstanceOf(NotFoundException.class)
        .hasMessage("no pipeline nope");
    store
        .experiments()
        .insert(new ExperimentRecord("e1", "ns", "exp", null, "AVAILABLE", T0, null));
    assertThatThrownBy(
            () ->
                store
                    .experiments()
                    .insert(new ExperimentRecord("e2", "ns", "exp", null, "AVAILABLE", T0, null)))
        .isInstanceOf(ConflictException.class)
        .hasMessage("experiment 'exp' already exists in namespace 'ns'");
    store.runs().insert(run("r1", "ns", "pipe", T0, "RUNNING"));
    assertThatThrownBy(() -> store.runs().insert(run("r1", "ns", "pipe", T0, "RUNNING")))
        .isInstanceOf(ConflictException.class)
        .hasMessage("run r1 already exists");
    assertThatThrownBy(() -> store.tasks().insertIfAbsent(task("nope", "a", "RUNNING", null)))
        .isInstanceOf(NotFoundException.class)
        .hasMessage("no run nope");
    TaskRecord t = store.tasks().insertIfAbsent(task("r1", "a", "RUNNING", null));
    assertThatThrownBy(
            () ->
                store
                    .tasks()
                    .insertIfAbsent(
                        new TaskRecord(
                            t.id(), "r1", null, "b", null, null, null, "RUNNING", 1, null, null,
                            null, null, null, null, null, null, null, T0, null, null)))
        .isInstanceOf(ConflictException.class);
    assertThatThrownBy(
            () -> store.events().insert(new EventRecord("ev", "no-task", "a", "INPUT", "k", T0)))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void updates_of_missing_rows_throw_not_found() {
    assertThatThrownBy(() -> store.runs().updateState("nope", "RUNNING", null, T0, null))
        .isInstanceOf(NotFoundException.class)
        .hasMessage("no run nope");
    assertThatThrownBy(() -> store.runs().setOutputs("nope", "{}"))
        .isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> store.runs().setStorageState("nope", "ARCHIVED"))
        .isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> store.experiments().setStorageState("nope", "ARCHIVED"))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void outputs_and_storage_states_are_set() {
    store.runs().insert(run("r1", "ns", "pipe", T0, "SUCCEEDED"));
    store.runs().setOutputs("r1", "{\"parameters\":{\"acc\":0.9}}");
    store.runs().setStorageState("r1", "ARCHIVED");
    RunRecord r = store.runs().get("r1").orElseThrow();
    assertThat(r.outputs()).isEqualTo("{\"parameters\":{\"acc\":0.9}}");
    assertThat(r.storageState()).isEqualTo("ARCHIVED");
    ExperimentRecord e = store.experiments().getOrCreateDefault("ns", T0);
    store.experiments().setStorageState(e.id(), "ARCHIVED");
    assertThat(store.experiments().get(e.id()).orElseThrow().storageState()).isEqualTo("ARCHIVED");
  }

  @Test
  void a_new_run_starts_its_history_and_every_change_appends() {
    store.runs().insert(run("r1", "ns", "pipe", T0, "PENDING"));
    assertThat(Json.parse(store.runs().get("r1").orElseThrow().stateHistory()))
        .isEqualTo(
            Json.parse("[{\"update_time\":\"2026-11-01T10:00:00Z\",\"state\":\"PENDING\"}]"));
    store.runs().updateState("r1", "RUNNING", null, T0.plusMillis(1500), null);
    JsonNode history = Json.parse(store.runs().get("r1").orElseThrow().stateHistory());
    assertThat(history).hasSize(2);
    assertThat(history.get(1).get("update_time").asText()).isEqualTo("2026-11-01T10:00:01.500Z");
    assertThat(history.get(1).has("error")).isFalse();
  }

  @Test
  void concurrent_state_changes_lose_no_history_entry() throws Exception {
    store.runs().insert(run("r1", "ns", "pipe", T0, "PENDING"));
    concurrently(
        8,
        () -> {
          for (int i = 0; i < 10; i++) {
            store.runs().updateState("r1", "RUNNING", null, T0.plusSeconds(i), null);
          }
          return null;
        });
    assertThat(Json.parse(store.runs().get("r1").orElseThrow().stateHistory())).hasSize(81);
  }

  @Test
  void concurrent_inserts_of_one_task_store_one_row() throws Exception {
    store.runs().insert(run("r1", "ns", "pipe", T0, "RUNNING"));
    List<TaskRecord> stored =
        concurrently(8, () -> store.tasks().insertIfAbsent(task("r1", "train", "RUNNING", null)));
    assertThat(stored.stream().map(TaskRecord::id).distinct()).hasSize(1);
    assertThat(store.tasks().listByRun("r1")).hasSize(1);
  }

  @Test
  void one_of_many_owners_racing_for_a_lease_gets_it() throws Exception {
    store.runs().insert(run("r1", "ns", "pipe", T0, "RUNNING"));
    java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
    List<Boolean> won =
        concurrently(
            8,
            () ->
                store
                    .runs()
                    .acquireLease(
                        "r1", "owner-" + n.incrementAndGet(), T0, Duration.ofSeconds(30)));
    assertThat(won.stream().filter(b -> b)).hasSize(1);
    assertThat(store.runs().acquireLease("missing", "a", T0, Duration.ofSeconds(1))).isFalse();
    assertThat(store.runs().leaseOwner("missing", T0)).isEmpty();
  }

  @Test
  void an_expired_lease_can_still_be_renewed_by_its_owner_until_taken_over() {
    store.runs().insert(run("r1", "ns", "pipe", T0, "RUNNING"));
    Duration ttl = Duration.ofSeconds(10);
    assertThat(store.runs().acquireLease("r1", "a", T0, ttl)).isTrue();
    assertThat(store.runs().acquireLease("r1", "a", T0.plusSeconds(1), ttl)).isTrue();
    assertThat(store.runs().leaseOwner("r1", T0.plusSeconds(30))).isEmpty();
    assertThat(store.runs().renewLease("r1", "a", T0.plusSeconds(30), ttl)).isTrue();
    assertThat(store.runs().acquireLease("r1", "b", T0.plusSeconds(45), ttl)).isTrue();
    assertThat(store.runs().renewLease("r1", "a", T0.plusSeconds(46), ttl)).isFalse();
    assertThat(store.runs().leaseOwner("r1", T0.plusSeconds(46))).contains("b");
  }

  @Test
  void pages_of_100_over_250_runs_are_newest_first_and_complete() {
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 250; i++) {
      String id = String.format("run-%03d", i);
      // every third run shares the previous one's timestamp: ties go by id, descending
      store.runs().insert(run(id, "ns", "pipe", T0.plusMillis(i - i % 3), "SUCCEEDED"));
      expected.add(0, id);
    }
    // ties: ids descending within one timestamp — sort expected the same way
    expected.sort(
        java.util.Comparator.comparing(
                (String id) -> {
                  int i = Integer.parseInt(id.substring(4));
                  return i - i % 3;
                })
            .thenComparing(id -> id)
            .reversed());
    List<String> seen = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    List<Long> totals = new ArrayList<>();
    String token = null;
    do {
      Page<RunRecord> page = store.runs().list(null, null, 100, token);
      totals.add(page.totalSize());
      page.items().forEach(r -> seen.add(r.id()));
      sizes.add(page.items().size());
      token = page.nextPageToken();
      if (seen.size() == 100) {
        // a run created while paging does not shift the pages that follow
        store.runs().insert(run("late", "ns", "pipe", T0.plusSeconds(3600), "PENDING"));
      }
    } while (!token.isEmpty());
    assertThat(sizes).containsExactly(100, 100, 50);
    assertThat(totals).containsExactly(250L, 251L, 251L);
    assertThat(seen).isEqualTo(expected);
    assertThat(store.runs().list(null, null, 100, null).items().get(0).id()).isEqualTo("late");
  }

  @Test
  void runs_are_listed_by_experiment() {
    ExperimentRecord e = store.experiments().getOrCreateDefault("ns", T0);
    for (int i = 0; i < 5; i++) {
      RunRecord r = run("r" + i, "ns", "pipe", T0.plusSeconds(i), "SUCCEEDED");
      store
          .runs()
          .insert(
              new RunRecord(
                  r.id(),
                  r.namespace(),
                  i % 2 == 0 ? e.id() : null,
                  null,
                  r.displayName(),
                  null,
                  r.pipelineName(),
                  r.pipelineSpec(),
                  null,
                  null,
                  r.state(),
                  null,
                  null,
                  r.createdAt(),
                  null,
                  null,
                  null,
                  null,
                  null));
    }
    Page<RunRecord> page = store.runs().list("ns", e.id(), 2, "");
    assertThat(page.items()).extracting(RunRecord::id).containsExactly("r4", "r2");
    assertThat(page.totalSize()).isEqualTo(3);
    Page<RunRecord> next = store.runs().list("ns", e.id(), 2, page.nextPageToken());
    assertThat(next.items()).extracting(RunRecord::id).containsExactly("r0");
    assertThat(next.nextPageToken()).isEmpty();
    assertThat(store.runs().list("other", null, 10, null).items()).isEmpty();
    assertThat(store.experiments().get(e.id()).orElseThrow().lastRunCreatedAt())
        .isEqualTo(T0.plusSeconds(4));
  }

  @Test
  void pipelines_versions_and_experiments_page_newest_first() {
    for (int i = 0; i < 5; i++) {
      store
          .pipelines()
          .insert(
              new PipelineRecord(
                  "p" + i, i < 4 ? "ns" : "x", "pipe" + i, null, null, T0.plusSeconds(i)));
      store
          .versions()
          .insert(
              new PipelineVersionRecord(
                  "v" + i, "p0", "v" + i, null, null, "{}", null, T0.plusSeconds(i)));
      store
          .experiments()
          .insert(
              new ExperimentRecord("e" + i, "ns", "exp" + i, null, null, T0.plusSeconds(i), null));
    }
    Page<PipelineRecord> pipes = store.pipelines().list("ns", 3, null);
    assertThat(pipes.items()).extracting(PipelineRecord::id).containsExactly("p3", "p2", "p1");
    assertThat(pipes.totalSize()).isEqualTo(4);
    assertThat(store.pipelines().list("ns", 3, pipes.nextPageToken()).items())
        .extracting(PipelineRecord::id)
        .containsExactly("p0");
    assertThat(store.pipelines().list(null, 10, null).totalSize()).isEqualTo(5);
    Page<PipelineVersionRecord> versions = store.versions().list("p0", 4, null);
    assertThat(versions.items())
        .extracting(PipelineVersionRecord::id)
        .containsExactly("v4", "v3", "v2", "v1");
    assertThat(store.versions().list("p0", 4, versions.nextPageToken()).items())
        .extracting(PipelineVersionRecord::id)
        .containsExactly("v0");
    assertThat(store.versions().latest("p0").orElseThrow().id()).isEqualTo("v4");
    assertThat(store.versions().latest("p1")).isEmpty();
    Page<ExperimentRecord> exps = store.experiments().list("ns", 10, null);
    assertThat(exps.items())
        .extracting(ExperimentRecord::id)
        .containsExactly("e4", "e3", "e2", "e1", "e0");
    assertThat(exps.items().get(0).storageState()).isEqualTo("AVAILABLE");
    assertThat(exps.nextPageToken()).isEmpty();
  }

  @Test
  void deleting_a_pipeline_removes_its_versions() {
    store.pipelines().insert(new PipelineRecord("p1", "ns", "pipe", null, null, T0));
    store.versions().insert(new PipelineVersionRecord("v1", "p1", "v", null, null, "{}", null, T0));
    store.pipelines().delete("p1");
    assertThat(store.pipelines().get("p1")).isEmpty();
    assertThat(store.versions().get("v1")).isEmpty();
    store.pipelines().insert(new PipelineRecord("p2", "ns", "pipe", null, null, T0));
    store.versions().insert(new PipelineVersionRecord("v2", "p2", "v", null, null, "{}", null, T0));
    store.versions().delete("v2");
    assertThat(store.versions().latest("p2")).isEmpty();
    store.experiments().insert(new ExperimentRecord("e1", "ns", "exp", null, null, T0, null));
    store.experiments().delete("e1");
    assertThat(store.experiments().get("e1")).isEmpty();
  }

  @Test
  void deleting_a_run_leaves_other_runs_alone() {
    store.runs().insert(run("r1", "ns", "pipe", T0, "SUCCEEDED"));
    store.runs().insert(run("r2", "ns", "pipe", T0, "SUCCEEDED"));
    TaskRecord t1 = store.tasks().insertIfAbsent(task("r1", "a", "SUCCEEDED", null));
    TaskRecord t2 = store.tasks().insertIfAbsent(task("r2", "a", "SUCCEEDED", null));
    store.artifacts().insert(new ArtifactRecord("a2", "r2", t2.id(), "x", "u", "t", "{}", T0));
    // r2's task read r1's artifact: the event belongs to r2 and survives r1's deletion
    store.artifacts().insert(new ArtifactRecord("a1", "r1", t1.id(), "x", "u", "t", "{}", T0));
    store.events().insert(new EventRecord("e1", t2.id(), "a1", "INPUT", "x", T0));
    store.runs().delete("r1");
    assertThat(store.tasks().listByRun("r2")).containsExactly(t2);
    assertThat(store.artifacts().listByRun("r2")).hasSize(1);
    assertThat(store.events().listByTask(t2.id())).hasSize(1);
    store.runs().delete("r1");
  }

  @Test
  void cache_lookup_ignores_unfinished_tasks_and_prefers_the_latest_finish() {
    store.runs().insert(run("r1", "ns", "pipe", T0, "RUNNING"));
    store.runs().insert(run("r2", "ns", "pipe", T0, "RUNNING"));
    TaskRecord running =
        new TaskRecord(
            Ids.newId(),
            "r1",
            null,
            "a",
            null,
            null,
            null,
            "RUNNING",
            1,
            "fp",
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            T0.plusSeconds(50),
            T0,
            null);
    store.tasks().insertIfAbsent(running);
    TaskRecord early = withFinish(task("r1", "b", "SUCCEEDED", "fp"), T0.plusSeconds(5));
    TaskRecord late = withFinish(task("r2", "b", "SUCCEEDED", "fp"), T0.plusSeconds(9));
    store.tasks().insertIfAbsent(late);
    store.tasks().insertIfAbsent(early);
    assertThat(store.tasks().findCached("ns", "pipe", "fp")).contains(late);
    assertThat(store.tasks().findCached("ns", "pipe", "unknown")).isEmpty();
  }

  static TaskRecord withFinish(TaskRecord t, Instant finished) {
    return new TaskRecord(
        t.id(),
        t.runId(),
        t.parentTaskId(),
        t.path(),
        t.name(),
        t.displayName(),
        t.componentName(),
        t.state(),
        t.attempt(),
        t.fingerprint(),
        t.cachedFromTaskId(),
        t.inputs(),
        t.outputs(),
        t.error(),
        t.workloadId(),
        t.pid(),
        t.pidStartedAt(),
        t.logPath(),
        t.createdAt(),
        t.startedAt(),
        finished);
  }

  @Test
  void tasks_are_listed_by_creation_then_path() {
    store.runs().insert(run("r1", "ns", "pipe", T0, "RUNNING"));
    for (String p : List.of("c", "a", "b")) {
      store.tasks().insertIfAbsent(task("r1", p, "RUNNING", null));
    }
    TaskRecord first =
        new TaskRecord(
            Ids.newId(),
            "r1",
            null,
            "z",
            null,
            null,
            null,
            "RUNNING",
            1,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            T0.minusSeconds(1),
            null,
            null);
    store.tasks().insertIfAbsent(first);
    assertThat(store.tasks().listByRun("r1"))
        .extracting(TaskRecord::path)
        .containsExactly("z", "a", "b", "c");
  }

  @Test
  void a_transaction_commits_several_repositories_together() {
    String runId =
        store.inTransaction(
            tx -> {
              ExperimentRecord e = tx.experiments().getOrCreateDefault("ns", T0);
              assertThat(tx.experiments().getOrCreateDefault("ns", T0)).isEqualTo(e);
              RunRecord r = run("r1", "ns", "pipe", T0, "PENDING");
              tx.runs().insert(r);
              tx.runs().updateState("r1", "RUNNING", null, T0, null);
              TaskRecord t = tx.tasks().insertIfAbsent(task("r1", "a", "RUNNING", null));
              assertThat(tx.tasks().insertIfAbsent(task("r1", "a", "PENDING", null))).isEqualTo(t);
              assertThat(tx.runs().acquireLease("r1", "me", T0, Duration.ofSeconds(5))).isTrue();
              return r.id();
            });
    assertThat(store.runs().get(runId).orElseThrow().state()).isEqualTo("RUNNING");
    assertThat(store.runs().leaseOwner(runId, T0)).contains("me");
    assertThat(store.experiments().getByName("ns", "Default")).isPresent();
  }

  @Test
  void a_conflict_inside_a_transaction_rolls_back_everything() {
    store.pipelines().insert(new PipelineRecord("p1", "ns", "pipe", null, null, T0));
    assertThatThrownBy(
            () ->
                store.inTransaction(
                    tx -> {
                      tx.runs().insert(run("r1", "ns", "pipe", T0, "PENDING"));
                      tx.pipelines().insert(new PipelineRecord("p2", "ns", "pipe", null, null, T0));
                      return null;
                    }))
        .isInstanceOf(ConflictException.class);
    assertThat(store.runs().get("r1")).isEmpty();
    // the store is usable afterwards
    store.runs().insert(run("r1", "ns", "pipe", T0, "PENDING"));
    assertThat(store.runs().get("r1")).isPresent();
  }

  @Test
  void default_experiments_race_to_one_row() throws Exception {
    List<ExperimentRecord> got =
        concurrently(6, () -> store.experiments().getOrCreateDefault("ns", T0));
    assertThat(got.stream().map(ExperimentRecord::id).distinct()).hasSize(1);
    assertThat(store.experiments().list("ns", 10, null).totalSize()).isEqualTo(1);
  }

  @Test
  void a_bad_page_token_is_refused() {
    assertThatThrownBy(() -> store.pipelines().list("ns", 10, "%%%"))
        .isInstanceOf(IllegalArgumentException.class);
    String noSeparator =
        java.util.Base64.getUrlEncoder()
            .encodeToString("12345".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThatThrownBy(() -> store.experiments().list("ns", 10, noSeparator))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void users_and_their_tokens_round_trip_and_go_together() {
    store.users().insert(new UserRecord("alice", "$argon2id$x", false, T0));
    store.users().insert(new UserRecord("root", null, true, T0));
    assertThatThrownBy(() -> store.users().insert(new UserRecord("alice", null, false, T0)))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("alice");
    assertThat(store.users().get("alice"))
        .contains(new UserRecord("alice", "$argon2id$x", false, T0));
    assertThat(store.users().get("root").orElseThrow().clusterAdmin()).isTrue();
    assertThat(store.users().list()).extracting(UserRecord::name).containsExactly("alice", "root");
    assertThat(store.users().setPasswordHash("alice", "$argon2id$y")).isTrue();
    assertThat(store.users().setPasswordHash("nobody", "h")).isFalse();
    assertThat(store.users().get("alice").orElseThrow().passwordHash()).isEqualTo("$argon2id$y");

    ApiTokenRecord t = new ApiTokenRecord("t1", "alice", "abc123", "laptop", T0, null);
    store.users().insertToken(t);
    assertThatThrownBy(
            () ->
                store.users().insertToken(new ApiTokenRecord("t2", "ghost", "def", "x", T0, null)))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("ghost");
    assertThat(store.users().tokenByHash("abc123")).contains(t);
    store.users().tokenUsed("t1", T0.plusSeconds(5));
    assertThat(store.users().tokens("alice"))
        .singleElement()
        .extracting(ApiTokenRecord::lastUsedAt)
        .isEqualTo(T0.plusSeconds(5));
    assertThat(store.users().deleteToken("root", "t1")).isFalse(); // not root's token
    assertThat(store.users().delete("alice")).isTrue();
    assertThat(store.users().tokenByHash("abc123")).isEmpty();
    assertThat(store.users().delete("alice")).isFalse();
  }

  @Test
  void profiles_keep_one_role_per_contributor() {
    store.profiles().insert(new ProfileRecord("team-a", "alice", "{}", T0));
    assertThatThrownBy(() -> store.profiles().insert(new ProfileRecord("team-a", "bob", "{}", T0)))
        .isInstanceOf(ConflictException.class);
    store.profiles().putContributor("team-a", "bob", "view", T0);
    store.profiles().putContributor("team-a", "bob", "edit", T0.plusSeconds(1));
    store.profiles().putContributor("team-a", "carol", "admin", T0);
    assertThatThrownBy(() -> store.profiles().putContributor("team-z", "bob", "view", T0))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("team-z");
    assertThat(store.profiles().contributors("team-a"))
        .extracting(ContributorRecord::user, ContributorRecord::role)
        .containsExactly(tuple("bob", "edit"), tuple("carol", "admin"));
    assertThat(store.profiles().rolesOf("bob"))
        .extracting(ContributorRecord::profile)
        .containsExactly("team-a");
    assertThat(store.profiles().setQuota("team-a", "{\"cpu\":\"4\"}")).isTrue();
    assertThat(store.profiles().get("team-a").orElseThrow().quota()).isEqualTo("{\"cpu\":\"4\"}");
    assertThat(store.profiles().removeContributor("team-a", "bob")).isTrue();
    assertThat(store.profiles().removeContributor("team-a", "bob")).isFalse();
    assertThat(store.profiles().delete("team-a")).isTrue();
    assertThat(store.profiles().rolesOf("carol")).isEmpty();
    assertThat(store.profiles().list()).isEmpty();
  }

  static RecurringRunRecord recurring(String id, String ns, Instant created) {
    return new RecurringRunRecord(
        id,
        ns,
        "exp-1",
        "nightly " + id,
        null,
        null,
        "{}",
        "{\"parameters\":{}}",
        "0 0 * * * *",
        null,
        null,
        null,
        1,
        false,
        true,
        "UTC",
        created,
        created,
        null,
        0);
  }

  @Test
  void a_recurring_run_fires_each_scheduled_time_once() {
    store.recurringRuns().insert(recurring("rr1", "ns", T0));
    assertThat(store.recurringRuns().claimFire("rr1", T0.plusSeconds(3600), 1, T0)).isTrue();
    assertThat(store.recurringRuns().claimFire("rr1", T0.plusSeconds(3600), 1, T0)).isFalse();
    assertThat(store.recurringRuns().claimFire("rr1", T0.plusSeconds(7200), 2, T0)).isTrue();
    RecurringRunRecord r = store.recurringRuns().get("rr1").orElseThrow();
    assertThat(r.lastScheduledAt()).isEqualTo(T0.plusSeconds(7200));
    assertThat(r.fires()).isEqualTo(2);
    assertThat(store.recurringRuns().unfinishedFires())
        .extracting(RecurringRuns.Fire::scheduledAt)
        .containsExactly(T0.plusSeconds(3600), T0.plusSeconds(7200));
    store.recurringRuns().setFireRun("rr1", T0.plusSeconds(3600), "run-a");
    assertThat(store.recurringRuns().unfinishedFires()).hasSize(1);
    assertThatThrownBy(() -> store.recurringRuns().claimFire("ghost", T0, 1, T0))
        .isInstanceOf(NotFoundException.class);

    RunRecord running = run("r-rr", "ns", "pipe", T0, "RUNNING");
    store
        .runs()
        .insert(
            new RunRecord(
                running.id(),
                running.namespace(),
                running.experimentId(),
                null,
                running.displayName(),
                null,
                running.pipelineName(),
                running.pipelineSpec(),
                null,
                running.runtimeConfig(),
                "RUNNING",
                null,
                "AVAILABLE",
                T0,
                T0,
                null,
                "rr1",
                null,
                "[]"));
    assertThat(store.recurringRuns().activeRuns("rr1")).isEqualTo(1);
    store.runs().updateState("r-rr", "SUCCEEDED", null, T0, T0);
    assertThat(store.recurringRuns().activeRuns("rr1")).isZero();

    assertThat(store.recurringRuns().setEnabled("rr1", false, T0)).isTrue();
    assertThat(store.recurringRuns().listEnabled()).isEmpty();
    store.recurringRuns().insert(recurring("rr2", "other", T0.plusSeconds(1)));
    assertThat(store.recurringRuns().list("ns", null, 10, "").items())
        .extracting(RecurringRunRecord::id)
        .containsExactly("rr1");
    assertThat(store.recurringRuns().list(null, null, 1, "").nextPageToken()).isNotEmpty();
    assertThat(store.recurringRuns().delete("rr1")).isTrue();
    assertThat(store.recurringRuns().get("rr1")).isEmpty();
  }

  @Test
  void resources_are_versioned_and_owned() {
    store
        .resources()
        .create(new ResourceRecord("Experiment", "ns", "e1", "u1", null, 0, "{\"a\":1}", T0, T0));
    store
        .resources()
        .create(new ResourceRecord("Trial", "ns", "e1-t1", "u2", "u1", 0, "{}", T0, T0));
    assertThatThrownBy(
            () ->
                store
                    .resources()
                    .create(
                        new ResourceRecord("Experiment", "ns", "e1", "u3", null, 0, "{}", T0, T0)))
        .isInstanceOf(ConflictException.class);
    ResourceRecord e = store.resources().get("Experiment", "ns", "e1").orElseThrow();
    assertThat(e.resourceVersion()).isEqualTo(1);
    assertThat(store.resources().update("Experiment", "ns", "e1", 1, "{\"a\":2}", T0)).isEqualTo(2);
    assertThatThrownBy(() -> store.resources().update("Experiment", "ns", "e1", 1, "{}", T0))
        .isInstanceOf(ConflictException.class);
    assertThat(store.resources().get("Experiment", "ns", "e1").orElseThrow().document())
        .isEqualTo("{\"a\":2}");
    assertThat(store.resources().owned("u1"))
        .extracting(ResourceRecord::name)
        .containsExactly("e1-t1");
    assertThat(store.resources().list("Experiment", null)).hasSize(1);
    store
        .resources()
        .observe(
            "u2",
            List.of(
                new ObservationRecord("loss", 1, "0.5", T0),
                new ObservationRecord("loss", 2, "0.25", T0.plusSeconds(1)),
                new ObservationRecord("accuracy", 1, "0.9", T0.plusSeconds(1))));
    store.resources().observe("u9", List.of(new ObservationRecord("loss", 1, "7", T0)));
    assertThat(store.resources().observations("u2"))
        .containsExactly(
            new ObservationRecord("loss", 1, "0.5", T0),
            new ObservationRecord("loss", 2, "0.25", T0.plusSeconds(1)),
            new ObservationRecord("accuracy", 1, "0.9", T0.plusSeconds(1)));
    assertThat(store.resources().delete("Experiment", "ns", "e1")).isTrue();
    assertThat(store.resources().list("Trial", "ns")).isEmpty();
    assertThat(store.resources().observations("u2")).isEmpty();
    assertThat(store.resources().observations("u9")).hasSize(1);
    store.resources().clearObservations("u9");
    assertThat(store.resources().observations("u9")).isEmpty();
  }

  @Test
  void runs_page_in_any_kfp_order_without_gaps_or_duplicates() {
    String[] names = {"delta", "alpha", "echo", "charlie", "bravo", "alpha"};
    for (int i = 0; i < names.length; i++) {
      RunRecord r =
          run("s" + i, "ns", "pipe", T0.plusSeconds(i), i % 2 == 0 ? "SUCCEEDED" : "FAILED");
      store
          .runs()
          .insert(
              new RunRecord(
                  r.id(),
                  r.namespace(),
                  r.experimentId(),
                  null,
                  names[i],
                  null,
                  r.pipelineName(),
                  r.pipelineSpec(),
                  null,
                  r.runtimeConfig(),
                  r.state(),
                  null,
                  "AVAILABLE",
                  r.createdAt(),
                  r.scheduledAt(),
                  i == 3 ? null : T0.plusSeconds(100 - i),
                  null,
                  null,
                  "[]"));
    }
    for (Runs.Sort sort :
        List.of(
            new Runs.Sort("display_name", false),
            new Runs.Sort("display_name", true),
            new Runs.Sort("created_at", false),
            new Runs.Sort("finished_at", true),
            new Runs.Sort("state", false))) {
      List<RunRecord> seen = new ArrayList<>();
      String token = "";
      do {
        Page<RunRecord> page = store.runs().list("ns", null, 2, token, sort);
        assertThat(page.totalSize()).isEqualTo(6);
        seen.addAll(page.items());
        token = page.nextPageToken();
      } while (!token.isEmpty());
      assertThat(seen)
          .as(sort.toString())
          .hasSize(6)
          .extracting(RunRecord::id)
          .doesNotHaveDuplicates();
      if (sort.column().equals("display_name")) {
        List<String> got = seen.stream().map(RunRecord::displayName).toList();
        List<String> want = new ArrayList<>(got);
        want.sort(
            sort.descending()
                ? java.util.Comparator.reverseOrder()
                : java.util.Comparator.naturalOrder());
        assertThat(got).isEqualTo(want);
      }
    }
    String byName =
        store.runs().list("ns", null, 2, "", new Runs.Sort("display_name", false)).nextPageToken();
    assertThatThrownBy(
            () -> store.runs().list("ns", null, 2, byName, new Runs.Sort("state", false)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.runs().list("ns", null, 2, "", new Runs.Sort("colour", false)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
