package dev.keel.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.Ids;
import dev.keel.core.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
  void updating_a_missing_task_says_so() {
    assertThatThrownBy(() -> store.tasks().update(task("nope", "a", "RUNNING", null)))
        .isInstanceOf(NotFoundException.class);
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
}
