package dev.keel.pipelines.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.keel.core.ValidationException;
import dev.keel.pipelines.PipelineEngine;
import dev.keel.pipelines.spec.PipelineDocument;
import dev.keel.pipelines.spec.PipelineSpecReader;
import dev.keel.runtime.LocalRuntime;
import dev.keel.store.RecurringRunRecord;
import dev.keel.store.RunRecord;
import dev.keel.store.Store;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recurring runs over a real store and engine, driven by hand-set instants: no sleeps. */
class RecurringRunServiceTest {
  static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

  static final String ECHO =
      """
      pipelineInfo: {name: stamp}
      schemaVersion: 2.1.0
      components:
        comp-echo:
          executorLabel: exec-echo
          inputDefinitions: {parameters: {when: {parameterType: STRING}}}
      deploymentSpec:
        executors:
          exec-echo: {container: {image: alpine, command: [echo, "{{$.inputs.parameters['when']}}"]}}
      root:
        inputDefinitions: {parameters: {when: {parameterType: STRING}}}
        dag:
          tasks:
            echo:
              componentRef: {name: comp-echo}
              cachingOptions: {}
              inputs: {parameters: {when: {componentInputParameter: when}}}
      """;

  @TempDir Path dir;
  Store store;
  LocalRuntime runtime;
  PipelineEngine engine;
  RecurringRunService service;
  final List<String> log = new ArrayList<>();

  @BeforeEach
  void open() {
    store = Store.sqlite(dir.resolve("keel.db"));
    runtime = LocalRuntime.builder().parallelism(4).build();
    engine = PipelineEngine.builder(store, runtime).dataDir(dir).build();
    service =
        new RecurringRunService(store, engine, Clock.fixed(T0, java.time.ZoneOffset.UTC), log::add);
  }

  @AfterEach
  void close() {
    service.close();
    engine.close();
    runtime.close();
    store.close();
  }

  static PipelineDocument echo() {
    return PipelineSpecReader.readText(ECHO);
  }

  RecurringRunRecord hourly(boolean noCatchup, int maxConcurrency) {
    return service.create(
        new RecurringRunService.Spec(
            "default",
            null,
            "stamp",
            null,
            echo(),
            null,
            Map.of("when", TextNode.valueOf("[[ScheduledTime.15:04]] #[[Index]]")),
            "0 0 * * * *",
            null,
            null,
            null,
            maxConcurrency,
            noCatchup,
            true,
            "UTC"));
  }

  List<RunRecord> runsOf(String recurringId) throws InterruptedException {
    List<RunRecord> out = new ArrayList<>();
    for (RunRecord r : store.runs().list("default", null, 100, "").items()) {
      if (recurringId.equals(r.recurringRunId())) {
        out.add(engine.await(r.id()));
      }
    }
    out.sort((a, b) -> a.scheduledAt().compareTo(b.scheduledAt()));
    return out;
  }

  @Test
  void a_schedule_fires_real_runs_with_macros_substituted() throws Exception {
    RecurringRunRecord r = hourly(false, 3);
    service.tick(T0.plusSeconds(1800)); // nothing due before 11:00
    assertThat(runsOf(r.id())).isEmpty();
    service.tick(Instant.parse("2026-11-22T11:00:00Z"));
    List<RunRecord> runs = runsOf(r.id());
    assertThat(runs)
        .singleElement()
        .satisfies(
            run -> {
              assertThat(run.state()).isEqualTo("SUCCEEDED");
              assertThat(run.scheduledAt()).isEqualTo(Instant.parse("2026-11-22T11:00:00Z"));
              assertThat(run.runtimeConfig()).contains("11:00 #1");
              assertThat(run.displayName()).isEqualTo("stamp-20261122110000");
            });
  }

  @Test
  void missed_times_are_caught_up_in_order_or_only_the_latest_without_catchup() throws Exception {
    RecurringRunRecord catchUp = hourly(false, 10);
    RecurringRunRecord latestOnly = hourly(true, 10);
    service.tick(Instant.parse("2026-11-22T14:30:00Z")); // 11:00, 12:00, 13:00, 14:00 missed
    assertThat(runsOf(catchUp.id()))
        .extracting(RunRecord::scheduledAt)
        .containsExactly(
            Instant.parse("2026-11-22T11:00:00Z"),
            Instant.parse("2026-11-22T12:00:00Z"),
            Instant.parse("2026-11-22T13:00:00Z"),
            Instant.parse("2026-11-22T14:00:00Z"));
    assertThat(runsOf(latestOnly.id()))
        .extracting(RunRecord::scheduledAt)
        .containsExactly(Instant.parse("2026-11-22T14:00:00Z"));
    service.tick(Instant.parse("2026-11-22T14:59:00Z"));
    assertThat(runsOf(latestOnly.id())).hasSize(1);
  }

  @Test
  void max_concurrency_holds_fires_back_until_runs_end() throws Exception {
    RecurringRunRecord r =
        service.create(
            new RecurringRunService.Spec(
                "default",
                null,
                "slow",
                null,
                PipelineSpecReader.readText(
                    ECHO.replace("command: [echo,", "command: [sh, -c, \"sleep 1\",")),
                null,
                Map.of("when", TextNode.valueOf("x")),
                "0 0 * * * *",
                null,
                null,
                null,
                1,
                false,
                true,
                "UTC"));
    service.tick(Instant.parse("2026-11-22T13:30:00Z")); // 11, 12, 13 due; room for one
    assertThat(store.runs().list("default", null, 100, "").items()).hasSize(1);
    service.tick(Instant.parse("2026-11-22T13:30:01Z")); // the first still runs
    assertThat(store.runs().list("default", null, 100, "").items()).hasSize(1);
    runsOf(r.id()); // waits for it to end
    service.tick(Instant.parse("2026-11-22T13:30:02Z"));
    assertThat(store.runs().list("default", null, 100, "").items()).hasSize(2);
  }

  @Test
  void a_restarted_or_second_scheduler_never_fires_a_time_twice() throws Exception {
    RecurringRunRecord r = hourly(false, 10);
    service.tick(Instant.parse("2026-11-22T12:00:00Z"));
    RecurringRunService again = new RecurringRunService(store, engine, Clock.systemUTC(), log::add);
    again.tick(Instant.parse("2026-11-22T12:00:00Z"));
    assertThat(runsOf(r.id())).hasSize(2); // 11:00 and 12:00, once each

    // two schedulers at once over one store: the fire records decide
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<Callable<Void>> both = new ArrayList<>();
    for (RecurringRunService s : List.of(service, again)) {
      both.add(
          () -> {
            s.tick(Instant.parse("2026-11-22T16:00:00Z"));
            return null;
          });
    }
    for (Future<Void> f : pool.invokeAll(both)) {
      f.get();
    }
    pool.shutdown();
    assertThat(runsOf(r.id()))
        .extracting(RunRecord::scheduledAt)
        .doesNotHaveDuplicates()
        .hasSize(6);
  }

  @Test
  void a_start_in_the_future_an_end_and_disabling_are_honoured() throws Exception {
    RecurringRunRecord r =
        service.create(
            new RecurringRunService.Spec(
                "default",
                null,
                "window",
                null,
                echo(),
                null,
                Map.of("when", TextNode.valueOf("x")),
                null,
                1800L,
                Instant.parse("2026-11-22T12:00:00Z"),
                Instant.parse("2026-11-22T13:00:00Z"),
                5,
                false,
                true,
                "UTC"));
    service.tick(Instant.parse("2026-11-22T12:00:00Z"));
    assertThat(runsOf(r.id())).isEmpty(); // the first period ends at 12:30
    service.tick(Instant.parse("2026-11-22T15:00:00Z"));
    assertThat(runsOf(r.id()))
        .extracting(RunRecord::scheduledAt)
        .containsExactly(
            Instant.parse("2026-11-22T12:30:00Z"), Instant.parse("2026-11-22T13:00:00Z"));
    RecurringRunRecord h = hourly(false, 5);
    service.enable(h.id(), false);
    service.tick(Instant.parse("2026-11-22T18:00:00Z"));
    assertThat(runsOf(h.id())).isEmpty();
  }

  @Test
  void bad_specs_name_kfps_fields() {
    assertThatThrownBy(
            () ->
                service.create(
                    new RecurringRunService.Spec(
                        "default",
                        null,
                        "",
                        null,
                        echo(),
                        null,
                        Map.of(),
                        "*/5 * * * *",
                        null,
                        Instant.parse("2026-11-22T13:00:00Z"),
                        Instant.parse("2026-11-22T12:00:00Z"),
                        0,
                        false,
                        true,
                        "Mars/Olympus")))
        .isInstanceOfSatisfying(
            ValidationException.class,
            e ->
                assertThat(e.problems())
                    .extracting(p -> p.path())
                    .contains("display_name", "time_zone", "trigger.end_time", "max_concurrency"));
    assertThatThrownBy(
            () ->
                service.create(
                    new RecurringRunService.Spec(
                        "default",
                        null,
                        "x",
                        null,
                        echo(),
                        null,
                        Map.of(),
                        "*/5 * * * *",
                        null,
                        null,
                        null,
                        1,
                        false,
                        true,
                        "UTC")))
        .hasMessageContaining("trigger.cron_schedule.cron")
        .hasMessageContaining("five fields");
  }
}
