package dev.keel.pipelines;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.keel.core.Json;
import dev.keel.store.RunRecord;
import dev.keel.store.TaskRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Conditions, ParallelFor with collected outputs, and exit handlers, in KFP's compiled shapes. */
class ControlFlowTest extends EngineTests {
  static final String LOOP =
      """
      pipelineInfo: {name: control-flow}
      schemaVersion: 2.1.0
      root:
        inputDefinitions:
          parameters:
            items: {parameterType: LIST, defaultValue: [1, 2, 3, 4]}
            threshold: {parameterType: NUMBER_INTEGER, defaultValue: 2.0}
        outputDefinitions:
          parameters:
            squares: {parameterType: LIST}
            total: {parameterType: NUMBER_INTEGER}
        dag:
          outputs:
            parameters:
              squares: {valueFromParameter: {producerSubtask: for-loop-1, outputParameterKey: pipelinechannel--square-Output}}
              total: {valueFromParameter: {producerSubtask: sum, outputParameterKey: Output}}
          tasks:
            for-loop-1:
              componentRef: {name: comp-for-loop-1}
              inputs:
                parameters:
                  pipelinechannel--items: {componentInputParameter: items}
                  pipelinechannel--threshold: {componentInputParameter: threshold}
              parameterIterator: {items: {inputParameter: pipelinechannel--items}, itemInput: pipelinechannel--items-loop-item}
              iteratorPolicy: {parallelismLimit: 2}
            sum:
              componentRef: {name: comp-sum}
              dependentTasks: [for-loop-1]
              cachingOptions: {}
              inputs:
                parameters:
                  values: {taskOutputParameter: {producerTask: for-loop-1, outputParameterKey: pipelinechannel--square-Output}}
      components:
        comp-for-loop-1:
          inputDefinitions:
            parameters:
              pipelinechannel--items: {parameterType: LIST}
              pipelinechannel--items-loop-item: {parameterType: NUMBER_INTEGER}
              pipelinechannel--threshold: {parameterType: NUMBER_INTEGER}
          outputDefinitions:
            parameters:
              pipelinechannel--square-Output: {parameterType: LIST}
          dag:
            outputs:
              parameters:
                pipelinechannel--square-Output: {valueFromParameter: {producerSubtask: square, outputParameterKey: Output}}
            tasks:
              square:
                componentRef: {name: comp-square}
                cachingOptions: {}
                inputs: {parameters: {x: {componentInputParameter: pipelinechannel--items-loop-item}}}
              condition-2:
                componentRef: {name: comp-condition-2}
                inputs:
                  parameters:
                    pipelinechannel--items-loop-item: {componentInputParameter: pipelinechannel--items-loop-item}
                    pipelinechannel--threshold: {componentInputParameter: pipelinechannel--threshold}
                triggerPolicy:
                  condition: int(inputs.parameter_values['pipelinechannel--items-loop-item']) > int(inputs.parameter_values['pipelinechannel--threshold'])
        comp-condition-2:
          inputDefinitions:
            parameters:
              pipelinechannel--items-loop-item: {parameterType: NUMBER_INTEGER}
              pipelinechannel--threshold: {parameterType: NUMBER_INTEGER}
          dag:
            tasks:
              big:
                componentRef: {name: comp-mark}
                cachingOptions: {}
                inputs: {parameters: {x: {componentInputParameter: pipelinechannel--items-loop-item}}}
        comp-square:
          executorLabel: exec-square
          inputDefinitions: {parameters: {x: {parameterType: NUMBER_INTEGER}}}
          outputDefinitions: {parameters: {Output: {parameterType: NUMBER_INTEGER}}}
        comp-mark:
          executorLabel: exec-mark
          inputDefinitions: {parameters: {x: {parameterType: NUMBER_INTEGER}}}
        comp-sum:
          executorLabel: exec-sum
          inputDefinitions: {parameters: {values: {parameterType: LIST}}}
          outputDefinitions: {parameters: {Output: {parameterType: NUMBER_INTEGER}}}
      deploymentSpec:
        executors:
          exec-square:
            container: {image: alpine, command: [sh, -c, 'echo $(( $0 * $0 )) > "$1"', "{{$.inputs.parameters['x']}}", "{{$.outputs.parameters['Output'].output_file}}"]}
          exec-mark:
            container: {image: alpine, command: [sh, -c, 'echo "big $0"', "{{$.inputs.parameters['x']}}"]}
          exec-sum:
            container: {image: alpine, command: [sh, -c, 'echo "$0" | tr -d "[] " | tr "," "\\n" | awk "{s+=\\$1} END {print s}" > "$1"', "{{$.inputs.parameters['values']}}", "{{$.outputs.parameters['Output'].output_file}}"]}
      """;

  @Test
  void parallel_for_collects_outputs_and_conditions_skip_branches() throws Exception {
    RunRecord run = f.run(EngineFixture.yaml(LOOP));
    assertThat(run.state()).as(run.error()).isEqualTo("SUCCEEDED");
    var outputs = Json.parse(run.outputs());
    assertThat(outputs.at("/parameters/squares").toString()).isEqualTo("[1,4,9,16]");
    assertThat(outputs.at("/parameters/total").asInt()).isEqualTo(30);
    assertThat(f.task(run.id(), "for-loop-1(0)/condition-2").state()).isEqualTo("NOT_TRIGGERED");
    assertThat(f.task(run.id(), "for-loop-1(1)/condition-2").state()).isEqualTo("NOT_TRIGGERED");
    assertThat(f.task(run.id(), "for-loop-1(2)/condition-2/big").state()).isEqualTo("SUCCEEDED");
    assertThat(f.task(run.id(), "for-loop-1(3)/condition-2/big").state()).isEqualTo("SUCCEEDED");
    assertThat(f.store.tasks().getByPath(run.id(), "for-loop-1(0)/condition-2/big")).isEmpty();
    TaskRecord loop = f.task(run.id(), "for-loop-1");
    assertThat(f.task(run.id(), "for-loop-1(3)/square").parentTaskId()).isEqualTo(loop.id());
  }

  @Test
  void loop_items_come_from_run_parameters_and_an_empty_list_runs_nothing() throws Exception {
    RunRecord run =
        f.run(
            EngineFixture.yaml(LOOP),
            Map.of("items", Json.parse("[5]"), "threshold", IntNode.valueOf(9)));
    assertThat(Json.parse(run.outputs()).at("/parameters/squares").toString()).isEqualTo("[25]");
    RunRecord empty = f.run(EngineFixture.yaml(LOOP), Map.of("items", Json.parse("[]")));
    assertThat(empty.state()).isEqualTo("SUCCEEDED");
    assertThat(Json.parse(empty.outputs()).at("/parameters/total").asInt()).isZero();
  }

  static final String EXIT =
      """
      pipelineInfo: {name: exit-handler}
      schemaVersion: 2.1.0
      root:
        dag:
          tasks:
            exit-handler-1:
              componentRef: {name: comp-exit-handler-1}
            cleanup:
              componentRef: {name: comp-cleanup}
              dependentTasks: [exit-handler-1]
              triggerPolicy: {strategy: ALL_UPSTREAM_TASKS_COMPLETED}
              cachingOptions: {}
              inputs:
                parameters:
                  status: {taskFinalStatus: {producerTask: exit-handler-1}}
      components:
        comp-exit-handler-1:
          dag:
            tasks:
              work: {componentRef: {name: comp-fail}, cachingOptions: {}}
        comp-fail:
          executorLabel: exec-fail
        comp-cleanup:
          executorLabel: exec-cleanup
          inputDefinitions:
            parameters:
              status: {parameterType: TASK_FINAL_STATUS, isOptional: true}
      deploymentSpec:
        executors:
          exec-fail: {container: {image: alpine, command: [sh, -c, 'echo failing; exit 1']}}
          exec-cleanup: {container: {image: alpine, command: [echo, "{{$.inputs.parameters['status']}}"]}}
      """;

  @Test
  void exit_task_runs_after_a_failed_body_and_the_run_still_fails() throws Exception {
    RunRecord run = f.run(EngineFixture.yaml(EXIT));
    assertThat(run.state()).isEqualTo("FAILED");
    TaskRecord cleanup = f.task(run.id(), "cleanup");
    assertThat(cleanup.state()).isEqualTo("SUCCEEDED");
    String log = Files.readString(Path.of(cleanup.logPath()));
    assertThat(log)
        .contains("\"state\":\"FAILED\"")
        .contains("\"pipelineTaskName\":\"exit-handler-1\"");
    assertThat(f.task(run.id(), "exit-handler-1").state()).isEqualTo("FAILED");
  }
}
