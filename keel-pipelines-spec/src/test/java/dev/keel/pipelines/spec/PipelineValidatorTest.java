package dev.keel.pipelines.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.keel.core.Json;
import dev.keel.core.Problem;
import dev.keel.core.ValidationException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PipelineValidatorTest {
  static java.util.stream.Stream<Path> files() throws Exception {
    return ConformanceReadTest.files();
  }

  @ParameterizedTest
  @MethodSource("files")
  void kfp_compiled_pipelines_have_no_problems(Path file) {
    assertThat(PipelineValidator.validate(PipelineSpecReader.read(file))).isEmpty();
  }

  /**
   * A small valid pipeline: task a produces a NUMBER_INTEGER and a Dataset, task b consumes both;
   * the root returns a's outputs. Each test breaks one thing.
   */
  static final String GOOD =
      """
      pipelineInfo: {name: p}
      schemaVersion: 2.1.0
      root:
        inputDefinitions: {parameters: {n: {parameterType: NUMBER_INTEGER}}}
        outputDefinitions:
          parameters: {o: {parameterType: NUMBER_INTEGER}}
          artifacts: {d: {artifactType: {schemaTitle: system.Dataset, schemaVersion: 0.0.1}}}
        dag:
          outputs:
            parameters: {o: {valueFromParameter: {producerSubtask: a, outputParameterKey: out}}}
            artifacts: {d: {artifactSelectors: [{producerSubtask: a, outputArtifactKey: data}]}}
          tasks:
            a:
              componentRef: {name: comp-a}
              inputs: {parameters: {n: {componentInputParameter: n}}}
            b:
              componentRef: {name: comp-b}
              dependentTasks: [a]
              inputs:
                parameters: {x: {taskOutputParameter: {producerTask: a, outputParameterKey: out}}}
                artifacts: {d: {taskOutputArtifact: {producerTask: a, outputArtifactKey: data}}}
      components:
        comp-a:
          executorLabel: exec-a
          inputDefinitions: {parameters: {n: {parameterType: NUMBER_INTEGER}}}
          outputDefinitions:
            parameters: {out: {parameterType: NUMBER_INTEGER}}
            artifacts: {data: {artifactType: {schemaTitle: system.Dataset, schemaVersion: 0.0.1}}}
        comp-b:
          executorLabel: exec-b
          inputDefinitions:
            parameters: {x: {parameterType: NUMBER_DOUBLE}}
            artifacts: {d: {artifactType: {schemaTitle: system.Dataset, schemaVersion: 0.0.1}}}
      deploymentSpec:
        executors:
          exec-a: {container: {image: alpine, command: [echo]}}
          exec-b: {container: {image: alpine, command: [echo]}}
      """;

  static List<Problem> problems(String yaml) {
    return PipelineValidator.validate(PipelineSpecReader.readText(yaml));
  }

  /** GOOD with {@code from} replaced by {@code to}; fails if {@code from} is not in it. */
  static String broken(String from, String to) {
    assertThat(GOOD).contains(from);
    return GOOD.replace(from, to);
  }

  @Test
  void a_good_pipeline_has_no_problems_and_int_flows_into_double() {
    assertThat(problems(GOOD)).isEmpty();
  }

  @Test
  void schema_version_must_be_2_1_0() {
    assertThat(problems(broken("schemaVersion: 2.1.0", "schemaVersion: 2.0.0")))
        .containsExactly(new Problem("schemaVersion", "'2.0.0' is not supported; expected 2.1.0"));
    assertThat(problems(broken("schemaVersion: 2.1.0\n", "")))
        .containsExactly(
            new Problem("schemaVersion", "missing; KFP pipelines have schemaVersion 2.1.0"));
  }

  @Test
  void pipeline_name_is_required_and_dns_like() {
    assertThat(problems(broken("pipelineInfo: {name: p}", "pipelineInfo: {name: My_Pipeline}")))
        .containsExactly(
            new Problem(
                "pipelineInfo.name",
                "'My_Pipeline' must be lower-case letters, digits, '-' and '.' (a DNS name)"));
    assertThat(problems(broken("pipelineInfo: {name: p}", "pipelineInfo: {description: x}")))
        .containsExactly(
            new Problem("pipelineInfo.name", "required: name the pipeline, such as my-pipeline"));
  }

  @Test
  void root_must_have_a_dag() {
    String noDag =
        """
        pipelineInfo: {name: p}
        schemaVersion: 2.1.0
        root: {executorLabel: exec-a}
        deploymentSpec: {executors: {exec-a: {container: {image: alpine}}}}
        """;
    assertThat(problems(noDag))
        .containsExactly(
            new Problem("root.dag", "required: the root component runs a dag of tasks"));
  }

  @Test
  void component_ref_must_name_a_component() {
    assertThat(problems(broken("componentRef: {name: comp-b}", "componentRef: {name: comp-z}")))
        .containsExactly(
            new Problem(
                "root.dag.tasks.b.componentRef.name", "no component 'comp-z' in components"));
  }

  @Test
  void executor_label_must_name_an_executor() {
    assertThat(problems(broken("executorLabel: exec-a", "executorLabel: exec-q")))
        .containsExactly(
            new Problem(
                "components.comp-a.executorLabel", "no executor 'exec-q' in deploymentSpec"));
  }

  @Test
  void a_component_has_exactly_one_of_executor_label_and_dag() {
    assertThat(problems(broken("executorLabel: exec-a", "executorLabel: exec-a\n    dag: {}")))
        .containsExactly(
            new Problem(
                "components.comp-a",
                "has both executorLabel and dag; a component is a leaf or a DAG, keep one"));
    assertThat(problems(broken("    executorLabel: exec-b\n", "")))
        .containsExactly(
            new Problem(
                "components.comp-b",
                "has neither executorLabel nor dag; name an executor in deploymentSpec or give it"
                    + " a dag"));
  }

  @Test
  void producer_task_must_be_a_sibling() {
    assertThat(
            problems(
                broken(
                    "x: {taskOutputParameter: {producerTask: a,",
                    "x: {taskOutputParameter: {producerTask: nope,")))
        .containsExactly(
            new Problem(
                "root.dag.tasks.b.inputs.parameters.x.taskOutputParameter.producerTask",
                "no task 'nope' in this DAG (the DAG has a, b)"));
  }

  @Test
  void producer_subtask_of_a_dag_output_must_be_a_task_of_the_dag() {
    assertThat(
            problems(
                broken(
                    "valueFromParameter: {producerSubtask: a,",
                    "valueFromParameter: {producerSubtask: c,")))
        .containsExactly(
            new Problem(
                "root.dag.outputs.parameters.o.valueFromParameter.producerSubtask",
                "no task 'c' in this DAG (the DAG has a, b)"));
    assertThat(
            problems(
                broken(
                    "artifactSelectors: [{producerSubtask: a,",
                    "artifactSelectors: [{producerSubtask: c,")))
        .containsExactly(
            new Problem(
                "root.dag.outputs.artifacts.d.artifactSelectors[0].producerSubtask",
                "no task 'c' in this DAG (the DAG has a, b)"));
  }

  @Test
  void output_parameter_key_must_be_an_output_of_the_producer() {
    assertThat(
            problems(
                broken(
                    "x: {taskOutputParameter: {producerTask: a, outputParameterKey: out}}",
                    "x: {taskOutputParameter: {producerTask: a, outputParameterKey: zzz}}")))
        .containsExactly(
            new Problem(
                "root.dag.tasks.b.inputs.parameters.x.taskOutputParameter.outputParameterKey",
                "task 'a' has no output parameter 'zzz' (its component has out)"));
  }

  @Test
  void output_artifact_key_must_be_an_output_of_the_producer() {
    assertThat(
            problems(
                broken(
                    "d: {taskOutputArtifact: {producerTask: a, outputArtifactKey: data}}",
                    "d: {taskOutputArtifact: {producerTask: a, outputArtifactKey: model}}")))
        .containsExactly(
            new Problem(
                "root.dag.tasks.b.inputs.artifacts.d.taskOutputArtifact.outputArtifactKey",
                "task 'a' has no output artifact 'model' (its component has data)"));
  }

  @Test
  void component_input_parameter_must_be_an_input_of_the_enclosing_component() {
    assertThat(
            problems(
                broken("n: {componentInputParameter: n}}", "n: {componentInputParameter: count}}")))
        .containsExactly(
            new Problem(
                "root.dag.tasks.a.inputs.parameters.n.componentInputParameter",
                "the enclosing component has no input parameter 'count' (it has n)"));
  }

  @Test
  void component_input_artifact_must_be_an_input_of_the_enclosing_component() {
    assertThat(
            problems(
                broken(
                    "d: {taskOutputArtifact: {producerTask: a, outputArtifactKey: data}}",
                    "d: {componentInputArtifact: raw}")))
        .containsExactly(
            new Problem(
                "root.dag.tasks.b.inputs.artifacts.d.componentInputArtifact",
                "the enclosing component has no input artifact 'raw' (it declares none)"));
  }

  @Test
  void dependent_tasks_must_be_siblings() {
    assertThat(problems(broken("dependentTasks: [a]", "dependentTasks: [a, z]")))
        .containsExactly(
            new Problem(
                "root.dag.tasks.b.dependentTasks[1]",
                "no task 'z' in this DAG (the DAG has a, b)"));
  }

  @Test
  void cycles_through_dependent_tasks_and_data_are_reported_with_the_cycle() {
    String cyclic =
        broken(
            "componentRef: {name: comp-a}",
            "componentRef: {name: comp-a}\n        dependentTasks: [b]");
    assertThat(problems(cyclic))
        .containsExactly(
            new Problem(
                "root.dag.tasks",
                "cycle: a -> b -> a (each task waits for the next, through dependentTasks or its"
                    + " inputs); remove one of these dependencies"));
    // b waits for a only through its data inputs here
    String dataCycle =
        broken("dependentTasks: [a]", "dependentTasks: []")
            .replace(
                "componentRef: {name: comp-a}",
                "componentRef: {name: comp-a}\n        dependentTasks: [b]");
    assertThat(problems(dataCycle))
        .extracting(Problem::reason)
        .anyMatch(r -> r.startsWith("cycle: a -> b -> a"));
  }

  @Test
  void parameter_type_mismatch_between_producer_and_consumer() {
    assertThat(
            problems(
                broken(
                    "parameters: {out: {parameterType: NUMBER_INTEGER}}",
                    "parameters: {out: {parameterType: STRING}}")))
        .containsExactly(
            new Problem(
                "root.dag.tasks.b.inputs.parameters.x",
                "type mismatch: task 'a' output 'out' is STRING but the input is NUMBER_DOUBLE"),
            new Problem(
                "root.dag.outputs.parameters.o",
                "type mismatch: task 'a' output 'out' is STRING but the pipeline output is"
                    + " NUMBER_INTEGER"));
  }

  @Test
  void double_does_not_flow_into_integer() {
    assertThat(
            problems(
                broken(
                        "parameters: {x: {parameterType: NUMBER_DOUBLE}}",
                        "parameters: {x: {parameterType: NUMBER_INTEGER}}")
                    .replace(
                        "parameters: {out: {parameterType: NUMBER_INTEGER}}",
                        "parameters: {out: {parameterType: NUMBER_DOUBLE}}")
                    .replace(
                        "parameters: {o: {parameterType: NUMBER_INTEGER}}",
                        "parameters: {o: {parameterType: NUMBER_DOUBLE}}")))
        .containsExactly(
            new Problem(
                "root.dag.tasks.b.inputs.parameters.x",
                "type mismatch: task 'a' output 'out' is NUMBER_DOUBLE but the input is"
                    + " NUMBER_INTEGER"));
  }

  @Test
  void pipeline_parameter_type_must_match_the_task_input() {
    assertThat(
            problems(
                broken(
                    "inputDefinitions: {parameters: {n: {parameterType: NUMBER_INTEGER}}}\n  outputDefinitions",
                    "inputDefinitions: {parameters: {n: {parameterType: STRING}}}\n  outputDefinitions")))
        .containsExactly(
            new Problem(
                "root.dag.tasks.a.inputs.parameters.n",
                "type mismatch: input 'n' of the enclosing component is STRING but the input is"
                    + " NUMBER_INTEGER"));
  }

  @Test
  void artifact_schema_titles_must_match_unless_one_side_is_system_artifact() {
    String model =
        "artifacts: {d: {artifactType: {schemaTitle: system.Model, schemaVersion: 0.0.1}}}\n"
            + "    deploymentSpec:";
    String consumerIsModel =
        GOOD.replace(
            "artifacts: {d: {artifactType: {schemaTitle: system.Dataset, schemaVersion: 0.0.1}}}\n"
                + "deploymentSpec:",
            "artifacts: {d: {artifactType: {schemaTitle: system.Model, schemaVersion: 0.0.1}}}\n"
                + "deploymentSpec:");
    assertThat(consumerIsModel).isNotEqualTo(GOOD).doesNotContain(model);
    assertThat(problems(consumerIsModel))
        .containsExactly(
            new Problem(
                "root.dag.tasks.b.inputs.artifacts.d",
                "type mismatch: task 'a' output 'data' is system.Dataset but the input is"
                    + " system.Model"));
    String consumerIsArtifact =
        consumerIsModel.replace(
            "schemaTitle: system.Model, schemaVersion: 0.0.1}}}\ndeploymentSpec:",
            "schemaTitle: system.Artifact, schemaVersion: 0.0.1}}}\ndeploymentSpec:");
    assertThat(problems(consumerIsArtifact)).isEmpty();
  }

  @Test
  void an_artifact_list_does_not_flow_into_a_single_artifact_input() {
    String list =
        broken(
            "artifacts: {data: {artifactType: {schemaTitle: system.Dataset, schemaVersion: 0.0.1}}}",
            "artifacts: {data: {isArtifactList: true, artifactType: {schemaTitle: system.Dataset,"
                + " schemaVersion: 0.0.1}}}");
    assertThat(problems(list))
        .containsExactly(
            new Problem(
                "root.dag.tasks.b.inputs.artifacts.d",
                "type mismatch: task 'a' output 'data' is a list of artifacts but the input takes"
                    + " one artifact; declare the input with isArtifactList: true"),
            new Problem(
                "root.dag.outputs.artifacts.d",
                "type mismatch: task 'a' output 'data' is a list of artifacts but the pipeline"
                    + " output is one artifact; declare the output with isArtifactList: true"));
  }

  @Test
  void a_task_input_the_component_does_not_declare() {
    assertThat(
            problems(
                broken(
                    "inputs: {parameters: {n: {componentInputParameter: n}}}",
                    "inputs: {parameters: {n: {componentInputParameter: n}, m: {runtimeValue:"
                        + " {constant: 1}}}}")))
        .containsExactly(
            new Problem(
                "root.dag.tasks.a.inputs.parameters.m",
                "component 'comp-a' declares no input parameter 'm'; remove it from the task or"
                    + " add it to components.comp-a.inputDefinitions.parameters (it has n)"));
    // KFP's own pass-through inputs for placeholders are allowed
    assertThat(
            problems(
                broken(
                    "inputs: {parameters: {n: {componentInputParameter: n}}}",
                    "inputs: {parameters: {n: {componentInputParameter: n},"
                        + " pipelinechannel--n: {componentInputParameter: n},"
                        + " cpu_limit: {runtimeValue: {constant:"
                        + " \"{{$.inputs.parameters['pipelinechannel--n']}}\"}}}}")))
        .isEmpty();
  }

  @Test
  void a_required_input_without_a_value() {
    assertThat(
            problems(
                broken(
                    "inputs: {parameters: {n: {componentInputParameter: n}}}",
                    "cachingOptions: {}")))
        .containsExactly(
            new Problem(
                "root.dag.tasks.a.inputs.parameters",
                "required input parameter 'n' of component 'comp-a' has no value"));
    // a default or isOptional makes it optional
    assertThat(
            problems(
                broken(
                        "inputs: {parameters: {n: {componentInputParameter: n}}}",
                        "cachingOptions: {}")
                    .replace(
                        "comp-a:\n    executorLabel: exec-a\n    inputDefinitions: {parameters:"
                            + " {n: {parameterType: NUMBER_INTEGER}}}",
                        "comp-a:\n    executorLabel: exec-a\n    inputDefinitions: {parameters:"
                            + " {n: {parameterType: NUMBER_INTEGER, defaultValue: 3.0}}}")))
        .isEmpty();
  }

  @Test
  void a_constant_of_the_wrong_type() {
    assertThat(
            problems(
                broken(
                    "n: {componentInputParameter: n}}", "n: {runtimeValue: {constant: three}}}")))
        .containsExactly(
            new Problem(
                "root.dag.tasks.a.inputs.parameters.n.runtimeValue.constant",
                "expected NUMBER_INTEGER, found string \"three\""));
  }

  static final String LOOP =
      """
      pipelineInfo: {name: loop}
      schemaVersion: 2.1.0
      root:
        dag:
          tasks:
            for-loop-1:
              componentRef: {name: comp-for-loop-1}
              parameterIterator: {items: {raw: '[1, 2]'}, itemInput: pipelinechannel--loop-item-param-1}
      components:
        comp-for-loop-1:
          inputDefinitions: {parameters: {pipelinechannel--loop-item-param-1: {parameterType: NUMBER_INTEGER}}}
          dag:
            tasks:
              echo:
                componentRef: {name: comp-echo}
                inputs: {parameters: {v: {componentInputParameter: pipelinechannel--loop-item-param-1}}}
                triggerPolicy: {condition: "inputs.parameter_values['pipelinechannel--loop-item-param-1'] > 1"}
                retryPolicy: {maxRetryCount: 2, backoffDuration: 3.5s, backoffFactor: 2.0, backoffMaxDuration: 3600s}
        comp-echo:
          executorLabel: exec-echo
          inputDefinitions: {parameters: {v: {parameterType: NUMBER_INTEGER}}}
      deploymentSpec:
        executors:
          exec-echo:
            container:
              image: alpine
              command: [echo]
              resources: {resourceCpuLimit: 500m, resourceMemoryLimit: 1Gi, cpuLimit: 0.5, memoryLimit: 1.073741824, accelerator: {type: nvidia.com/gpu, count: 1}}
      """;

  @Test
  void the_loop_example_is_valid_with_deprecated_fields() {
    assertThat(problems(LOOP)).isEmpty();
  }

  @Test
  void iterator_item_input_must_be_declared_by_the_loop_component() {
    assertThat(
            problems(
                LOOP.replace("itemInput: pipelinechannel--loop-item-param-1}", "itemInput: item}")))
        .containsExactly(
            new Problem(
                "root.dag.tasks.for-loop-1.inputs.parameters",
                "required input parameter 'pipelinechannel--loop-item-param-1' of component"
                    + " 'comp-for-loop-1' has no value"),
            new Problem(
                "root.dag.tasks.for-loop-1.parameterIterator.itemInput",
                "the loop component declares no input 'item'"));
  }

  @Test
  void trigger_condition_must_not_be_blank() {
    assertThat(
            problems(
                LOOP.replace(
                    "condition: \"inputs.parameter_values['pipelinechannel--loop-item-param-1'] >"
                        + " 1\"",
                    "condition: '  '")))
        .containsExactly(
            new Problem(
                "components.comp-for-loop-1.dag.tasks.echo.triggerPolicy.condition",
                "is blank; write a CEL condition or leave triggerPolicy.condition out"));
  }

  @Test
  void retry_durations_must_be_protobuf_durations() {
    assertThat(
            problems(
                LOOP.replace("backoffDuration: 3.5s", "backoffDuration: 3 minutes")
                    .replace("backoffMaxDuration: 3600s", "backoffMaxDuration: 1h")))
        .containsExactly(
            new Problem(
                "components.comp-for-loop-1.dag.tasks.echo.retryPolicy.backoffDuration",
                "'3 minutes' is not a duration such as 0s or 3.5s"),
            new Problem(
                "components.comp-for-loop-1.dag.tasks.echo.retryPolicy.backoffMaxDuration",
                "'1h' is not a duration such as 0s or 3.5s"));
  }

  @Test
  void resources_must_be_quantities_unless_placeholders() {
    assertThat(
            problems(
                LOOP.replace("resourceCpuLimit: 500m", "resourceCpuLimit: half")
                    .replace("resourceMemoryLimit: 1Gi", "resourceMemoryLimit: lots")))
        .containsExactly(
            new Problem(
                "deploymentSpec.executors.exec-echo.container.resources.resourceCpuLimit",
                "'half' is not a CPU quantity (examples: 500m, 2, 512Mi, 4Gi)"),
            new Problem(
                "deploymentSpec.executors.exec-echo.container.resources.resourceMemoryLimit",
                "'lots' is not a memory quantity (examples: 500m, 2, 512Mi, 4Gi)"));
    assertThat(
            problems(
                LOOP.replace(
                    "resourceCpuLimit: 500m",
                    "resourceCpuLimit: \"{{$.inputs.parameters['pipelinechannel--cpu']}}\"")))
        .isEmpty();
  }

  @Test
  void platform_spec_executors_must_exist() {
    String withPlatform =
        GOOD
            + """
            ---
            platforms:
              kubernetes:
                deploymentSpec:
                  executors:
                    exec-a: {nodeSelector: {labels: {disk: ssd}}}
                    exec-gone: {nodeSelector: {labels: {disk: ssd}}}
            """;
    assertThat(problems(withPlatform))
        .containsExactly(
            new Problem(
                "platformSpec.platforms.kubernetes.deploymentSpec.executors.exec-gone",
                "no executor 'exec-gone' in deploymentSpec"));
  }

  @Test
  void several_problems_are_all_reported_in_document_order() {
    List<Problem> p =
        problems(
            broken("schemaVersion: 2.1.0", "schemaVersion: 2.0.0")
                .replace("pipelineInfo: {name: p}", "pipelineInfo: {name: P}")
                .replace(
                    "producerTask: a, outputParameterKey", "producerTask: nope, outputParameterKey")
                .replace("executorLabel: exec-b", "executorLabel: exec-q")
                .replace("dependentTasks: [a]", "dependentTasks: [a, ghost]"));
    assertThat(p)
        .extracting(Problem::path)
        .containsExactly(
            "schemaVersion",
            "pipelineInfo.name",
            "components.comp-b.executorLabel",
            "root.dag.tasks.b.dependentTasks[1]",
            "root.dag.tasks.b.inputs.parameters.x.taskOutputParameter.producerTask");
  }

  @Test
  void validate_never_throws_for_degenerate_documents() {
    String[] docs = {
      "pipelineInfo: {name: p}\n",
      "root: {dag: {tasks: {a: {}}}}\n",
      "root: {dag: {tasks: {a: {inputs: {parameters: {x: {}}, artifacts: {y: {}}}}}}}\n",
      "root: {dag: {tasks: {a: {componentRef: {}}}, outputs: {parameters: {o: {}}}}}\n",
      "components: {c: {}}\nroot: {dag: {}}\ndeploymentSpec: {executors: {e: {}}}\n",
    };
    for (String d : docs) {
      assertThat(problems(d)).as(d).isNotEmpty();
    }
    assertThat(PipelineValidator.validate(null)).isNotEmpty();
  }

  @Test
  void unknown_fields_are_reported_by_path_by_the_reader() {
    assertThatThrownBy(
            () ->
                PipelineSpecReader.readText(
                    GOOD.replace(
                        "dependentTasks: [a]", "dependentTasks: [a]\n        colour: blue")))
        .isInstanceOf(ValidationException.class)
        .satisfies(
            e ->
                assertThat(((ValidationException) e).problems())
                    .contains(new Problem("root.dag.tasks.b.colour", "unknown field 'colour'")));
  }

  @Test
  void broken_yaml_names_the_line() {
    assertThatThrownBy(() -> PipelineSpecReader.readText("pipelineInfo: {name: [\n"))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("line");
  }

  static final String PARAMS =
      """
      pipelineInfo: {name: p}
      schemaVersion: 2.1.0
      root:
        inputDefinitions:
          parameters:
            n: {parameterType: NUMBER_INTEGER}
            rate: {parameterType: NUMBER_DOUBLE, defaultValue: 0.5, isOptional: true}
            tags: {parameterType: LIST, defaultValue: [], isOptional: true}
        dag: {tasks: {}}
      """;

  @Test
  void run_parameters_missing_unknown_and_mistyped() {
    PipelineDocument doc = PipelineSpecReader.readText(PARAMS);
    assertThat(PipelineValidator.checkRunParameters(doc, Map.of()))
        .containsExactly(
            new Problem("parameters.n", "required parameter 'n' has no value and no default"));
    assertThat(
            PipelineValidator.checkRunParameters(
                doc, Map.of("n", IntNode.valueOf(1), "colour", TextNode.valueOf("red"))))
        .containsExactly(
            new Problem(
                "parameters.colour",
                "the pipeline has no parameter 'colour' (it has n, rate, tags)"));
    assertThat(PipelineValidator.checkRunParameters(doc, Map.of("n", TextNode.valueOf("3"))))
        .containsExactly(
            new Problem("parameters.n", "expected NUMBER_INTEGER, found string \"3\""));
    assertThat(PipelineValidator.checkRunParameters(doc, Map.of("n", new DoubleNode(3.5))))
        .containsExactly(new Problem("parameters.n", "expected NUMBER_INTEGER, found number 3.5"));
  }

  @Test
  void run_parameters_accept_integral_doubles_for_integers_and_ints_for_doubles() {
    PipelineDocument doc = PipelineSpecReader.readText(PARAMS);
    Map<String, JsonNode> values =
        Map.of("n", new DoubleNode(3.0), "rate", IntNode.valueOf(1), "tags", Json.parse("[1]"));
    assertThat(PipelineValidator.checkRunParameters(doc, values)).isEmpty();
  }

  @Test
  void cli_values_are_parsed_by_type() {
    assertThat(PipelineValidator.coerceCliValue(ParameterType.NUMBER_INTEGER, "42").asLong())
        .isEqualTo(42);
    assertThat(PipelineValidator.coerceCliValue(ParameterType.NUMBER_INTEGER, "3.0").asLong())
        .isEqualTo(3);
    assertThat(PipelineValidator.coerceCliValue(ParameterType.NUMBER_DOUBLE, "0.25").asDouble())
        .isEqualTo(0.25);
    assertThat(PipelineValidator.coerceCliValue(ParameterType.BOOLEAN, "true").asBoolean())
        .isTrue();
    assertThat(PipelineValidator.coerceCliValue(ParameterType.LIST, "[1, 2]").size()).isEqualTo(2);
    assertThat(
            PipelineValidator.coerceCliValue(ParameterType.STRUCT, "{\"a\": 1}").get("a").asInt())
        .isEqualTo(1);
    assertThat(PipelineValidator.coerceCliValue(ParameterType.STRING, "42"))
        .isEqualTo(TextNode.valueOf("42"));
    assertThatThrownBy(() -> PipelineValidator.coerceCliValue(ParameterType.NUMBER_INTEGER, "many"))
        .hasMessage("'many' is not an integer");
    assertThatThrownBy(() -> PipelineValidator.coerceCliValue(ParameterType.NUMBER_INTEGER, "2.5"))
        .hasMessage("'2.5' is not an integer");
    assertThatThrownBy(() -> PipelineValidator.coerceCliValue(ParameterType.NUMBER_DOUBLE, "NaN"))
        .hasMessage("'NaN' is not a number");
    assertThatThrownBy(() -> PipelineValidator.coerceCliValue(ParameterType.BOOLEAN, "yes"))
        .hasMessage("'yes' is not true or false");
    assertThatThrownBy(() -> PipelineValidator.coerceCliValue(ParameterType.LIST, "{}"))
        .hasMessage("'{}' is not a JSON list");
    assertThatThrownBy(() -> PipelineValidator.coerceCliValue(ParameterType.STRUCT, "[1"))
        .hasMessage("'[1' is not a JSON object");
  }
}
