package dev.keel.pipelines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import dev.keel.core.Json;
import dev.keel.core.ValidationException;
import dev.keel.pipelines.spec.PipelineDocument;
import dev.keel.pipelines.spec.PipelineSpecReader;
import dev.keel.store.RunRecord;
import dev.keel.store.Store;
import dev.keel.store.TaskRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class EngineTest extends EngineTests {
  static final String TWO_STEP =
      """
      pipelineInfo: {name: two-step}
      schemaVersion: 2.1.0
      sdkVersion: test
      root:
        inputDefinitions:
          parameters:
            n: {parameterType: NUMBER_INTEGER, defaultValue: 3.0}
        outputDefinitions:
          parameters:
            total: {parameterType: NUMBER_INTEGER}
          artifacts:
            report: {artifactType: {schemaTitle: system.Dataset, schemaVersion: 0.0.1}}
        dag:
          outputs:
            parameters:
              total: {valueFromParameter: {producerSubtask: consume, outputParameterKey: total}}
            artifacts:
              report: {artifactSelectors: [{producerSubtask: consume, outputArtifactKey: report}]}
          tasks:
            produce:
              taskInfo: {name: produce}
              componentRef: {name: comp-produce}
              inputs: {parameters: {n: {componentInputParameter: n}}}
              cachingOptions: {enableCache: true}
            consume:
              taskInfo: {name: consume}
              componentRef: {name: comp-consume}
              dependentTasks: [produce]
              cachingOptions: {enableCache: true}
              inputs:
                parameters:
                  doubled: {taskOutputParameter: {producerTask: produce, outputParameterKey: doubled}}
                  label: {runtimeValue: {constant: sum}}
                artifacts:
                  numbers: {taskOutputArtifact: {producerTask: produce, outputArtifactKey: numbers}}
      components:
        comp-produce:
          executorLabel: exec-produce
          inputDefinitions: {parameters: {n: {parameterType: NUMBER_INTEGER}}}
          outputDefinitions:
            parameters: {doubled: {parameterType: NUMBER_INTEGER}}
            artifacts: {numbers: {artifactType: {schemaTitle: system.Dataset, schemaVersion: 0.0.1}}}
        comp-consume:
          executorLabel: exec-consume
          inputDefinitions:
            parameters:
              doubled: {parameterType: NUMBER_INTEGER}
              label: {parameterType: STRING}
              suffix: {parameterType: STRING, defaultValue: "!"}
            artifacts: {numbers: {artifactType: {schemaTitle: system.Dataset, schemaVersion: 0.0.1}}}
          outputDefinitions:
            parameters: {total: {parameterType: NUMBER_INTEGER}}
            artifacts: {report: {artifactType: {schemaTitle: system.Dataset, schemaVersion: 0.0.1}}}
      deploymentSpec:
        executors:
          exec-produce:
            container:
              image: alpine
              command: [sh, -c, 'seq 1 "$0" > "$1"; echo $(( $0 * 2 )) > "$2"',
                "{{$.inputs.parameters['n']}}", "{{$.outputs.artifacts['numbers'].path}}",
                "{{$.outputs.parameters['doubled'].output_file}}"]
          exec-consume:
            container:
              image: alpine
              command: [sh, -c, 'total=$(( $(paste -sd+ "$0") + $1 )); echo "$2: $total$3" > "$4"; printf %s "$total" > "$5"',
                "{{$.inputs.artifacts['numbers'].path}}", "{{$.inputs.parameters['doubled']}}",
                "{{$.inputs.parameters['label']}}", "{{$.inputs.parameters['suffix']}}",
                "{{$.outputs.artifacts['report'].path}}", "{{$.outputs.parameters['total'].output_file}}"]
      """;

  @Test
  void hello_world_from_kfp_runs_to_succeeded() throws Exception {
    PipelineDocument doc = PipelineSpecReader.read(EngineFixture.conformance("hello_world.yaml"));
    RunRecord run = f.run(doc);
    assertThat(run.state()).isEqualTo("SUCCEEDED");
    TaskRecord t = f.tasks(run.id()).get(0);
    assertThat(t.state()).isEqualTo("SUCCEEDED");
    assertThat(Files.readString(Path.of(t.logPath())))
        .contains("hello world")
        .contains("[keel] image");
  }

  @Test
  void after_orders_tasks_without_data_dependencies() throws Exception {
    PipelineDocument doc =
        PipelineSpecReader.read(EngineFixture.conformance("pipeline_with_after.yaml"));
    RunRecord run = f.run(doc);
    assertThat(run.state()).isEqualTo("SUCCEEDED");
    TaskRecord t1 = f.task(run.id(), "print-text");
    TaskRecord t2 = f.task(run.id(), "print-text-2");
    TaskRecord t3 = f.task(run.id(), "print-text-3");
    assertThat(t2.startedAt()).isAfterOrEqualTo(t1.finishedAt());
    assertThat(t3.startedAt()).isAfterOrEqualTo(t1.finishedAt()).isAfterOrEqualTo(t2.finishedAt());
  }

  @Test
  void parameters_and_artifacts_flow_between_tasks_into_pipeline_outputs() throws Exception {
    RunRecord run = f.run(EngineFixture.yaml(TWO_STEP), Map.of("n", IntNode.valueOf(4)));
    assertThat(run.state()).as(run.error()).isEqualTo("SUCCEEDED");
    JsonNode outputs = Json.parse(run.outputs());
    // 1+2+3+4 = 10, doubled 8 -> 18
    assertThat(outputs.at("/parameters/total").asInt()).isEqualTo(18);
    String reportUri = outputs.at("/artifacts/report/0/uri").asText();
    assertThat(reportUri).startsWith("file:/");
    Path report = Path.of(java.net.URI.create(reportUri));
    assertThat(Files.readString(report)).isEqualTo("sum: 18!\n");
    assertThat(report.toString()).contains("default").contains("two-step").contains(run.id());
    TaskRecord consume = f.task(run.id(), "consume");
    assertThat(f.store.events().listByTask(consume.id()))
        .extracting(e -> e.type() + ":" + e.key())
        .containsExactlyInAnyOrder("INPUT:numbers", "OUTPUT:report");
  }

  @Test
  void listeners_and_waiters_hear_of_a_state_only_once_another_process_can_read_it()
      throws Exception {
    List<String> mismatches = new CopyOnWriteArrayList<>();
    List<String> heard = new CopyOnWriteArrayList<>();
    // a second connection to the same file sees only what is committed, as another process would
    try (Store other = Store.sqlite(dir.resolve("keel.db"))) {
      EngineListener check =
          new EngineListener() {
            @Override
            public void taskChanged(RunRecord run, TaskRecord task) {
              heard.add(task.path() + " " + task.state());
              String stored = other.tasks().get(task.id()).map(TaskRecord::state).orElse("none");
              if (!stored.equals(task.state())) {
                mismatches.add(task.path() + " told " + task.state() + ", stored " + stored);
              }
            }

            @Override
            public void runChanged(RunRecord run) {
              String stored = other.runs().get(run.id()).map(RunRecord::state).orElse("none");
              if (!stored.equals(run.state())) {
                mismatches.add("run told " + run.state() + ", stored " + stored);
              }
            }
          };
      try (PipelineEngine engine =
          PipelineEngine.builder(f.store, f.runtime)
              .dataDir(dir)
              .owner("checked")
              .listener(check)
              .build()) {
        String id = engine.submit(RunRequest.of(EngineFixture.yaml(TWO_STEP), Map.of()));
        RunRecord run = engine.await(id);
        assertThat(run.state()).isEqualTo("SUCCEEDED");
        assertThat(other.runs().get(id).orElseThrow().state()).isEqualTo("SUCCEEDED");
      }
    }
    assertThat(heard).contains("produce RUNNING", "produce SUCCEEDED", "consume SUCCEEDED");
    assertThat(mismatches).isEmpty();
  }

  @Test
  void integral_double_defaults_are_integers() throws Exception {
    RunRecord run = f.run(EngineFixture.yaml(TWO_STEP));
    assertThat(run.state()).isEqualTo("SUCCEEDED");
    assertThat(Json.parse(run.outputs()).at("/parameters/total").asInt()).isEqualTo(12);
    String log = Files.readString(Path.of(f.task(run.id(), "produce").logPath()));
    assertThat(log).doesNotContain("3.0");
  }

  @Test
  void second_run_is_served_from_cache_without_processes() throws Exception {
    RunRecord first = f.run(EngineFixture.yaml(TWO_STEP));
    RunRecord second = f.run(EngineFixture.yaml(TWO_STEP));
    assertThat(second.state()).isEqualTo("SUCCEEDED");
    for (TaskRecord t : f.tasks(second.id())) {
      assertThat(t.state()).isEqualTo("CACHED");
      assertThat(t.logPath()).isNull();
      assertThat(t.pid()).isNull();
      assertThat(t.cachedFromTaskId()).isEqualTo(f.task(first.id(), t.path()).id());
    }
    assertThat(second.outputs()).isEqualTo(first.outputs());
    RunRecord other = f.run(EngineFixture.yaml(TWO_STEP), Map.of("n", IntNode.valueOf(5)));
    assertThat(f.task(other.id(), "produce").state()).isEqualTo("SUCCEEDED");
  }

  @Test
  void a_diamond_served_entirely_from_cache_still_runs_every_task() throws Exception {
    String diamond =
        """
        pipelineInfo: {name: diamond}
        schemaVersion: 2.1.0
        root:
          dag:
            tasks:
              a: {componentRef: {name: comp-x}, cachingOptions: {enableCache: true},
                  inputs: {parameters: {v: {runtimeValue: {constant: a}}}}}
              b: {componentRef: {name: comp-x}, cachingOptions: {enableCache: true}, dependentTasks: [a],
                  inputs: {parameters: {v: {runtimeValue: {constant: b}}}}}
              c: {componentRef: {name: comp-x}, cachingOptions: {enableCache: true}, dependentTasks: [a, b],
                  inputs: {parameters: {v: {runtimeValue: {constant: c}}}}}
              d: {componentRef: {name: comp-x}, cachingOptions: {enableCache: true}, dependentTasks: [b, c],
                  inputs: {parameters: {v: {runtimeValue: {constant: d}}}}}
        components:
          comp-x:
            executorLabel: exec-x
            inputDefinitions: {parameters: {v: {parameterType: STRING}}}
        deploymentSpec:
          executors:
            exec-x: {container: {image: alpine, command: [echo, "{{$.inputs.parameters['v']}}"]}}
        """;
    assertThat(f.run(EngineFixture.yaml(diamond)).state()).isEqualTo("SUCCEEDED");
    RunRecord cached = f.run(EngineFixture.yaml(diamond));
    assertThat(cached.state()).as(cached.error()).isEqualTo("SUCCEEDED");
    assertThat(f.tasks(cached.id()))
        .hasSize(4)
        .extracting(TaskRecord::state)
        .containsOnly("CACHED");
  }

  @Test
  void cache_never_crosses_namespaces_and_empty_caching_options_disable_it() throws Exception {
    f.run(EngineFixture.yaml(TWO_STEP));
    String id =
        f.engine.submit(
            new RunRequest(EngineFixture.yaml(TWO_STEP), Map.of(), "team-b", null, null, null));
    RunRecord run = f.engine.await(id);
    assertThat(f.task(run.id(), "produce").state()).isEqualTo("SUCCEEDED");

    String noCache = TWO_STEP.replace("cachingOptions: {enableCache: true}", "cachingOptions: {}");
    f.run(EngineFixture.yaml(noCache));
    RunRecord again = f.run(EngineFixture.yaml(noCache));
    assertThat(f.tasks(again.id())).extracting(TaskRecord::state).containsOnly("SUCCEEDED");
  }

  @Test
  void cache_key_replaces_the_fingerprint() throws Exception {
    String keyed =
        TWO_STEP.replace(
            "cachingOptions: {enableCache: true}",
            "cachingOptions: {enableCache: true, cacheKey: v1}");
    RunRecord a = f.run(EngineFixture.yaml(keyed));
    RunRecord b = f.run(EngineFixture.yaml(keyed), Map.of("n", IntNode.valueOf(7)));
    assertThat(f.task(b.id(), "produce").state()).isEqualTo("CACHED");
    assertThat(f.task(b.id(), "produce").fingerprint())
        .isEqualTo(Fingerprint.ofCacheKey("comp-produce", "v1"))
        .isEqualTo(f.task(a.id(), "produce").fingerprint());
  }

  static String oneTask(String name, String command, String extra) {
    return """
        pipelineInfo: {name: %s}
        schemaVersion: 2.1.0
        root:
          dag:
            tasks:
              work:
                componentRef: {name: comp-work}
                cachingOptions: {}
        %s
        components:
          comp-work: {executorLabel: exec-work}
        deploymentSpec:
          executors:
            exec-work:
              container:
                image: alpine
                command: %s
        """
        .formatted(name, extra, command);
  }

  @Test
  void missing_program_fails_the_task_naming_it() throws Exception {
    RunRecord run = f.run(EngineFixture.yaml(oneTask("missing", "[my_program, --flag]", "")));
    assertThat(run.state()).isEqualTo("FAILED");
    assertThat(f.task(run.id(), "work").error()).contains("my_program");
    assertThat(run.error()).contains("my_program");
  }

  @Test
  void retry_policy_reruns_a_failing_task_until_it_succeeds() throws Exception {
    Path counter = dir.resolve("count");
    String cmd =
        "[sh, -c, 'n=$(cat \"$0\" 2>/dev/null || echo 0); n=$((n+1)); echo $n > \"$0\"; [ $n -ge 3 ]', '"
            + counter
            + "']";
    String yaml =
        oneTask("retry", cmd, "")
            .replace(
                "cachingOptions: {}",
                "cachingOptions: {}\n        retryPolicy: {maxRetryCount: 3, backoffDuration: 0.05s,"
                    + " backoffFactor: 2.0, backoffMaxDuration: 3600s}");
    RunRecord run = f.run(EngineFixture.yaml(yaml));
    assertThat(run.state()).isEqualTo("SUCCEEDED");
    assertThat(Files.readString(counter).strip()).isEqualTo("3");
    assertThat(f.task(run.id(), "work").attempt()).isEqualTo(3);
    assertThat(f.notes).anyMatch(n -> n.contains("retry 1 of 3"));
  }

  @Test
  void retry_policy_gives_up_after_max_retries() throws Exception {
    String yaml =
        oneTask("give-up", "[sh, -c, 'exit 3']", "")
            .replace(
                "cachingOptions: {}",
                "cachingOptions: {}\n        retryPolicy: {maxRetryCount: 2, backoffDuration: 0s}");
    RunRecord run = f.run(EngineFixture.yaml(yaml));
    assertThat(run.state()).isEqualTo("FAILED");
    assertThat(f.task(run.id(), "work").attempt()).isEqualTo(3);
    assertThat(f.task(run.id(), "work").error()).contains("3");
  }

  @Test
  void backoff_grows_by_factor_and_is_capped() {
    var policy = new dev.keel.pipelines.spec.RetryPolicy(5, "1s", 2.0, "3s");
    assertThat(RunExecution.backoff(policy, 1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(RunExecution.backoff(policy, 2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(RunExecution.backoff(policy, 3)).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void terminate_kills_running_processes_and_cancels_the_run() throws Exception {
    Path marker = dir.resolve("started");
    String cmd = "[sh, -c, 'touch \"$0\"; sleep 60', '" + marker + "']";
    String id =
        f.engine.submit(RunRequest.of(EngineFixture.yaml(oneTask("slow", cmd, "")), Map.of()));
    long deadline = System.currentTimeMillis() + 10_000;
    while (!Files.exists(marker) && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    long start = System.nanoTime();
    f.engine.terminate(id);
    RunRecord run = f.engine.await(id);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(run.state()).isEqualTo("CANCELED");
    TaskRecord t = f.task(id, "work");
    assertThat(t.state()).isEqualTo("CANCELED");
    assertThat(ProcessHandle.of(t.pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(Json.parse(run.stateHistory()).findValuesAsText("state"))
        .containsSubsequence("RUNNING", "CANCELING", "CANCELED");
  }

  @Test
  void retry_of_a_failed_run_reruns_only_failed_and_unrun_tasks() throws Exception {
    Path flag = dir.resolve("ok");
    String yaml =
        """
        pipelineInfo: {name: flaky}
        schemaVersion: 2.1.0
        root:
          dag:
            tasks:
              first: {componentRef: {name: comp-first}, cachingOptions: {}}
              second: {componentRef: {name: comp-second}, dependentTasks: [first], cachingOptions: {}}
              third: {componentRef: {name: comp-third}, dependentTasks: [second], cachingOptions: {}}
        components:
          comp-first: {executorLabel: exec-first}
          comp-second: {executorLabel: exec-second}
          comp-third: {executorLabel: exec-third}
        deploymentSpec:
          executors:
            exec-first: {container: {image: alpine, command: [echo, first]}}
            exec-second: {container: {image: alpine, command: [test, -e, '%s']}}
            exec-third: {container: {image: alpine, command: [echo, third]}}
        """
            .formatted(flag);
    RunRecord failed = f.run(EngineFixture.yaml(yaml));
    assertThat(failed.state()).isEqualTo("FAILED");
    TaskRecord firstBefore = f.task(failed.id(), "first");
    assertThat(f.store.tasks().getByPath(failed.id(), "third")).isEmpty();

    Files.createFile(flag);
    f.engine.retry(failed.id());
    RunRecord retried = f.engine.await(failed.id());
    assertThat(retried.state()).isEqualTo("SUCCEEDED");
    assertThat(f.task(failed.id(), "first")).isEqualTo(firstBefore);
    assertThat(f.task(failed.id(), "second").attempt()).isEqualTo(2);
    assertThat(f.task(failed.id(), "third").state()).isEqualTo("SUCCEEDED");
    assertThat(f.tasks(failed.id())).hasSize(3);
  }

  @Test
  void retrying_a_succeeded_run_is_refused() throws Exception {
    RunRecord run = f.run(EngineFixture.yaml(oneTask("ok", "[echo, hi]", "")));
    assertThatThrownBy(() -> f.engine.retry(run.id()))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("only FAILED or CANCELED");
  }

  @Test
  void missing_required_parameter_is_refused_before_anything_runs() {
    String yaml =
        TWO_STEP.replace(
            "n: {parameterType: NUMBER_INTEGER, defaultValue: 3.0}",
            "n: {parameterType: NUMBER_INTEGER}");
    assertThatThrownBy(() -> f.engine.submit(RunRequest.of(EngineFixture.yaml(yaml), Map.of())))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("required parameter 'n'");
  }
}
