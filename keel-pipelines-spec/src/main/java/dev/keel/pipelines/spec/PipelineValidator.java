package dev.keel.pipelines.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.keel.core.Json;
import dev.keel.core.Problem;
import dev.keel.core.Quantities;
import dev.keel.core.ValidationException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a pipeline the way a KFP user would want it checked before anything runs: every reference
 * resolves, the DAGs have no cycles, types line up, and required inputs have values. Every problem
 * is reported with its field path; nothing here throws for bad input.
 */
public final class PipelineValidator {
  private static final Pattern DNS_NAME =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern DURATION = Pattern.compile("-?[0-9]+(\\.[0-9]{1,9})?s");

  private PipelineValidator() {}

  /** Every problem of the pipeline, in document order; empty when it is valid. */
  public static List<Problem> validate(PipelineDocument doc) {
    List<Problem> problems = new ArrayList<>();
    if (doc == null || doc.spec() == null) {
      problems.add(new Problem("", "the document holds no PipelineSpec"));
      return problems;
    }
    PipelineSpec spec = doc.spec();
    if (!"2.1.0".equals(spec.schemaVersion())) {
      problems.add(
          new Problem(
              "schemaVersion",
              spec.schemaVersion() == null
                  ? "missing; KFP pipelines have schemaVersion 2.1.0"
                  : "'" + spec.schemaVersion() + "' is not supported; expected 2.1.0"));
    }
    if (spec.pipelineInfo() == null
        || spec.pipelineInfo().name() == null
        || spec.pipelineInfo().name().isBlank()) {
      problems.add(
          new Problem("pipelineInfo.name", "required: name the pipeline, such as my-pipeline"));
    } else if (!DNS_NAME.matcher(spec.pipelineInfo().name()).matches()) {
      problems.add(
          new Problem(
              "pipelineInfo.name",
              "'"
                  + spec.pipelineInfo().name()
                  + "' must be lower-case letters, digits, '-' and '.' (a DNS name)"));
    }
    Map<String, ExecutorSpec> executors =
        spec.deploymentSpec() == null ? Map.of() : spec.deploymentSpec().executors();
    for (Map.Entry<String, ComponentSpec> e : spec.components().entrySet()) {
      if (e.getValue() == null) {
        problems.add(new Problem("components." + e.getKey(), "is empty"));
        continue;
      }
      checkComponent("components." + e.getKey(), e.getValue(), doc, executors, problems);
    }
    if (spec.root() == null) {
      problems.add(new Problem("root", "required: the pipeline's root component with its dag"));
    } else if (spec.root().dag() == null) {
      problems.add(new Problem("root.dag", "required: the root component runs a dag of tasks"));
    } else {
      checkComponent("root", spec.root(), doc, executors, problems);
    }
    for (Map.Entry<String, ExecutorSpec> e : executors.entrySet()) {
      if (e.getValue() == null) {
        problems.add(new Problem("deploymentSpec.executors." + e.getKey(), "is empty"));
        continue;
      }
      checkExecutor("deploymentSpec.executors." + e.getKey(), e.getValue(), problems);
    }
    if (doc.platform() != null
        && doc.platform().platforms() != null
        && doc.platform().platforms().kubernetes() != null
        && doc.platform().platforms().kubernetes().deploymentSpec() != null) {
      for (String label :
          doc.platform().platforms().kubernetes().deploymentSpec().executors().keySet()) {
        if (!executors.containsKey(label)) {
          problems.add(
              new Problem(
                  "platformSpec.platforms.kubernetes.deploymentSpec.executors." + label,
                  "no executor '" + label + "' in deploymentSpec"));
        }
      }
    }
    return problems;
  }

  private static void checkComponent(
      String path,
      ComponentSpec c,
      PipelineDocument doc,
      Map<String, ExecutorSpec> executors,
      List<Problem> problems) {
    boolean hasExec = c.executorLabel() != null && !c.executorLabel().isBlank();
    if (hasExec && c.dag() != null) {
      problems.add(
          new Problem(
              path, "has both executorLabel and dag; a component is a leaf or a DAG, keep one"));
    } else if (!hasExec && c.dag() == null) {
      problems.add(
          new Problem(
              path,
              "has neither executorLabel nor dag; name an executor in deploymentSpec or give it"
                  + " a dag"));
    }
    if (hasExec && !executors.containsKey(c.executorLabel())) {
      problems.add(
          new Problem(
              path + ".executorLabel",
              "no executor '" + c.executorLabel() + "' in deploymentSpec"));
    }
    if (c.inputDefinitions() != null) {
      c.inputDefinitions()
          .parameters()
          .forEach(
              (name, p) -> {
                String at = path + ".inputDefinitions.parameters." + name;
                if (p == null) {
                  problems.add(new Problem(at, "is empty; give it a parameterType"));
                  return;
                }
                if (p.parameterType() == null && p.type() == null) {
                  problems.add(new Problem(at + ".parameterType", "required"));
                }
                if (p.defaultValue() != null && p.parameterType() != null) {
                  String bad = typeError(p.parameterType(), p.defaultValue());
                  if (bad != null) {
                    problems.add(new Problem(at + ".defaultValue", bad));
                  }
                }
              });
    }
    if (c.dag() != null) {
      checkDag(path, c, doc, problems);
    }
  }

  private static void checkDag(
      String path, ComponentSpec c, PipelineDocument doc, List<Problem> problems) {
    DagSpec dag = c.dag();
    Map<String, ComponentSpec> components = doc.spec().components();
    Map<String, ParameterSpec> parentParams =
        c.inputDefinitions() == null ? Map.of() : c.inputDefinitions().parameters();
    Map<String, ArtifactSpec> parentArtifacts =
        c.inputDefinitions() == null ? Map.of() : c.inputDefinitions().artifacts();
    Map<String, Set<String>> edges = new LinkedHashMap<>();
    for (Map.Entry<String, PipelineTaskSpec> te : dag.tasks().entrySet()) {
      String name = te.getKey();
      PipelineTaskSpec task = te.getValue();
      String at = path + ".dag.tasks." + name;
      Set<String> up = new LinkedHashSet<>();
      edges.put(name, up);
      if (task == null) {
        problems.add(new Problem(at, "is empty; a task needs at least a componentRef"));
        continue;
      }
      ComponentSpec comp = null;
      if (task.componentRef() == null || task.componentRef().name() == null) {
        problems.add(new Problem(at + ".componentRef.name", "required"));
      } else {
        comp = components.get(task.componentRef().name());
        if (comp == null) {
          problems.add(
              new Problem(
                  at + ".componentRef.name",
                  "no component '" + task.componentRef().name() + "' in components"));
        }
      }
      for (int i = 0; i < task.dependentTasks().size(); i++) {
        String dep = task.dependentTasks().get(i);
        if (!dag.tasks().containsKey(dep)) {
          problems.add(
              new Problem(
                  at + ".dependentTasks[" + i + "]",
                  "no task '" + dep + "' in this DAG" + known("the DAG", dag.tasks().keySet())));
        } else {
          up.add(dep);
        }
      }
      Map<String, ParameterSpec> declaredParams = new HashMap<>();
      Map<String, ArtifactSpec> declaredArtifacts = new HashMap<>();
      if (comp != null && comp.inputDefinitions() != null) {
        declaredParams.putAll(comp.inputDefinitions().parameters());
        declaredArtifacts.putAll(comp.inputDefinitions().artifacts());
      }
      Set<String> iteratorItems = new HashSet<>();
      if (task.parameterIterator() != null && task.parameterIterator().itemInput() != null) {
        iteratorItems.add(task.parameterIterator().itemInput());
      }
      if (task.artifactIterator() != null && task.artifactIterator().itemInput() != null) {
        iteratorItems.add(task.artifactIterator().itemInput());
      }
      if (task.inputs() != null) {
        for (Map.Entry<String, InputParameterSpec> ie : task.inputs().parameters().entrySet()) {
          String ip = at + ".inputs.parameters." + ie.getKey();
          InputParameterSpec in = ie.getValue();
          if (in == null) {
            problems.add(
                new Problem(
                    ip,
                    "is empty; give it a componentInputParameter, taskOutputParameter,"
                        + " runtimeValue or taskFinalStatus"));
            continue;
          }
          ParameterSpec declared = declaredParams.get(ie.getKey());
          if (comp != null
              && declared == null
              && !iteratorItems.contains(ie.getKey())
              && !placeholderCarrier(ie.getKey(), in)) {
            problems.add(
                new Problem(
                    ip, undeclared(task, "parameter", ie.getKey(), declaredParams.keySet())));
          }
          int sources = 0;
          if (in.componentInputParameter() != null) {
            sources++;
            ParameterSpec from = parentParams.get(in.componentInputParameter());
            if (from == null) {
              problems.add(
                  new Problem(
                      ip + ".componentInputParameter",
                      "the enclosing component has no input parameter '"
                          + in.componentInputParameter()
                          + "'"
                          + known(parentParams.keySet())));
            } else if (declared != null
                && in.parameterExpressionSelector() == null
                && !assignable(from.parameterType(), declared.parameterType())) {
              problems.add(
                  new Problem(
                      ip,
                      "type mismatch: input '"
                          + in.componentInputParameter()
                          + "' of the enclosing component is "
                          + from.parameterType()
                          + " but the input is "
                          + declared.parameterType()));
            }
          }
          if (in.taskOutputParameter() != null) {
            sources++;
            String producer = in.taskOutputParameter().producerTask();
            String key = in.taskOutputParameter().outputParameterKey();
            OutputParameterSpec out =
                outputParameter(
                    dag, components, producer, key, ip + ".taskOutputParameter", problems);
            if (producer != null && dag.tasks().containsKey(producer)) {
              up.add(producer);
            }
            ParameterSpec target = declaredParams.get(ie.getKey());
            if (out != null
                && target != null
                && in.parameterExpressionSelector() == null
                && !assignable(out.parameterType(), target.parameterType())) {
              problems.add(
                  new Problem(
                      ip,
                      "type mismatch: task '"
                          + producer
                          + "' output '"
                          + key
                          + "' is "
                          + out.parameterType()
                          + " but the input is "
                          + target.parameterType()));
            }
          }
          if (in.runtimeValue() != null) {
            sources++;
            ParameterSpec target = declaredParams.get(ie.getKey());
            JsonNode v = in.runtimeValue().constant();
            if (target != null
                && v != null
                && target.parameterType() != null
                && !(v.isTextual() && v.textValue().contains("{{$"))) {
              String bad = typeError(target.parameterType(), v);
              if (bad != null) {
                problems.add(new Problem(ip + ".runtimeValue.constant", bad));
              }
            }
          }
          if (in.taskFinalStatus() != null) {
            sources++;
            String producer = in.taskFinalStatus().producerTask();
            if (producer == null || !dag.tasks().containsKey(producer)) {
              problems.add(
                  new Problem(
                      ip + ".taskFinalStatus.producerTask",
                      "no task '" + producer + "' in this DAG"));
            } else {
              up.add(producer);
            }
          }
          if (sources != 1) {
            problems.add(
                new Problem(
                    ip,
                    sources == 0
                        ? "needs a value: componentInputParameter, taskOutputParameter,"
                            + " runtimeValue or taskFinalStatus"
                        : "has more than one source"));
          }
        }
        for (Map.Entry<String, InputArtifactSpec> ie : task.inputs().artifacts().entrySet()) {
          String ia = at + ".inputs.artifacts." + ie.getKey();
          InputArtifactSpec in = ie.getValue();
          if (in == null) {
            problems.add(
                new Problem(
                    ia, "is empty; give it a componentInputArtifact or taskOutputArtifact"));
            continue;
          }
          if (comp != null
              && !declaredArtifacts.containsKey(ie.getKey())
              && !iteratorItems.contains(ie.getKey())) {
            problems.add(
                new Problem(
                    ia, undeclared(task, "artifact", ie.getKey(), declaredArtifacts.keySet())));
          }
          if (in.componentInputArtifact() != null
              && !parentArtifacts.containsKey(in.componentInputArtifact())) {
            problems.add(
                new Problem(
                    ia + ".componentInputArtifact",
                    "the enclosing component has no input artifact '"
                        + in.componentInputArtifact()
                        + "'"
                        + known(parentArtifacts.keySet())));
          }
          if (in.taskOutputArtifact() != null) {
            String producer = in.taskOutputArtifact().producerTask();
            String key = in.taskOutputArtifact().outputArtifactKey();
            OutputArtifactSpec out =
                outputArtifact(
                    dag, components, producer, key, ia + ".taskOutputArtifact", problems);
            if (producer != null && dag.tasks().containsKey(producer)) {
              up.add(producer);
            }
            ArtifactSpec target = declaredArtifacts.get(ie.getKey());
            if (out != null && target != null) {
              String from = title(out.artifactType());
              String to = title(target.artifactType());
              if (!compatible(from, to)) {
                problems.add(
                    new Problem(
                        ia,
                        "type mismatch: task '"
                            + producer
                            + "' output '"
                            + key
                            + "' is "
                            + from
                            + " but the input is "
                            + to));
              }
              boolean fromList = Boolean.TRUE.equals(out.isArtifactList());
              boolean toList = Boolean.TRUE.equals(target.isArtifactList());
              if (fromList && !toList) {
                problems.add(
                    new Problem(
                        ia,
                        "type mismatch: task '"
                            + producer
                            + "' output '"
                            + key
                            + "' is a list of artifacts but the input takes one artifact;"
                            + " declare the input with isArtifactList: true"));
              }
            }
          }
          if ((in.componentInputArtifact() == null) == (in.taskOutputArtifact() == null)) {
            problems.add(
                new Problem(
                    ia, "needs exactly one of componentInputArtifact and taskOutputArtifact"));
          }
        }
      }
      if (comp != null && comp.inputDefinitions() != null) {
        Set<String> given = new HashSet<>(iteratorItems);
        if (task.inputs() != null) {
          given.addAll(task.inputs().parameters().keySet());
          given.addAll(task.inputs().artifacts().keySet());
        }
        for (Map.Entry<String, ParameterSpec> p : comp.inputDefinitions().parameters().entrySet()) {
          ParameterSpec def = p.getValue();
          if (!given.contains(p.getKey())
              && def.defaultValue() == null
              && !Boolean.TRUE.equals(def.isOptional())
              && def.parameterType() != ParameterType.TASK_FINAL_STATUS) {
            problems.add(
                new Problem(
                    at + ".inputs.parameters",
                    "required input parameter '"
                        + p.getKey()
                        + "' of component '"
                        + task.componentRef().name()
                        + "' has no value"));
          }
        }
        for (Map.Entry<String, ArtifactSpec> a : comp.inputDefinitions().artifacts().entrySet()) {
          if (!given.contains(a.getKey()) && !Boolean.TRUE.equals(a.getValue().isOptional())) {
            problems.add(
                new Problem(
                    at + ".inputs.artifacts",
                    "required input artifact '"
                        + a.getKey()
                        + "' of component '"
                        + task.componentRef().name()
                        + "' has no value"));
          }
        }
      }
      if (task.parameterIterator() != null) {
        checkIterator(
            at + ".parameterIterator", task.parameterIterator().itemInput(), comp, problems);
        ItemsSpec items = task.parameterIterator().items();
        if (items == null || (items.raw() == null) == (items.inputParameter() == null)) {
          problems.add(
              new Problem(
                  at + ".parameterIterator.items", "needs exactly one of raw and inputParameter"));
        } else if (items.raw() != null) {
          try {
            if (!Json.parse(items.raw()).isArray()) {
              problems.add(new Problem(at + ".parameterIterator.items.raw", "not a JSON list"));
            }
          } catch (ValidationException e) {
            problems.add(new Problem(at + ".parameterIterator.items.raw", "not a JSON list"));
          }
        }
      }
      if (task.artifactIterator() != null) {
        checkIterator(
            at + ".artifactIterator", task.artifactIterator().itemInput(), comp, problems);
      }
      if (task.triggerPolicy() != null
          && task.triggerPolicy().condition() != null
          && task.triggerPolicy().condition().isBlank()) {
        problems.add(
            new Problem(
                at + ".triggerPolicy.condition",
                "is blank; write a CEL condition or leave triggerPolicy.condition out"));
      }
      RetryPolicy retry = task.retryPolicy();
      if (retry != null) {
        if (retry.maxRetryCount() != null && retry.maxRetryCount() < 0) {
          problems.add(new Problem(at + ".retryPolicy.maxRetryCount", "must not be negative"));
        }
        checkDuration(at + ".retryPolicy.backoffDuration", retry.backoffDuration(), problems);
        checkDuration(at + ".retryPolicy.backoffMaxDuration", retry.backoffMaxDuration(), problems);
      }
      if (task.iteratorPolicy() != null
          && task.iteratorPolicy().parallelismLimit() != null
          && task.iteratorPolicy().parallelismLimit() < 0) {
        problems.add(new Problem(at + ".iteratorPolicy.parallelismLimit", "must not be negative"));
      }
    }
    checkOutputs(path, c, components, problems);
    findCycle(path, edges, problems);
  }

  /**
   * KFP's compiler adds task inputs that the component does not declare, to carry values into
   * placeholders: {@code pipelinechannel--*} pass-throughs, and constants holding a placeholder
   * (the task-level resource fields, f-strings).
   */
  private static boolean placeholderCarrier(String name, InputParameterSpec in) {
    if (name.startsWith("pipelinechannel--")) {
      return true;
    }
    JsonNode v = in.runtimeValue() == null ? null : in.runtimeValue().constant();
    return v != null && v.isTextual() && v.textValue().contains("{{$");
  }

  private static String undeclared(
      PipelineTaskSpec task, String kind, String input, Set<String> declared) {
    String comp = task.componentRef().name();
    return "component '"
        + comp
        + "' declares no input "
        + kind
        + " '"
        + input
        + "'; remove it from the task or add it to components."
        + comp
        + ".inputDefinitions."
        + kind
        + "s"
        + known(declared);
  }

  private static String known(Set<String> names) {
    return known("it", names);
  }

  private static String known(String who, Set<String> names) {
    return names.isEmpty()
        ? " (" + who + " declares none)"
        : " (" + who + " has " + String.join(", ", new java.util.TreeSet<>(names)) + ")";
  }

  private static void checkIterator(
      String at, String itemInput, ComponentSpec comp, List<Problem> problems) {
    if (itemInput == null || itemInput.isBlank()) {
      problems.add(new Problem(at + ".itemInput", "required"));
      return;
    }
    if (comp != null) {
      boolean declared =
          comp.inputDefinitions() != null
              && (comp.inputDefinitions().parameters().containsKey(itemInput)
                  || comp.inputDefinitions().artifacts().containsKey(itemInput));
      if (!declared) {
        problems.add(
            new Problem(
                at + ".itemInput", "the loop component declares no input '" + itemInput + "'"));
      }
    }
  }

  private static void checkOutputs(
      String path, ComponentSpec c, Map<String, ComponentSpec> components, List<Problem> problems) {
    DagSpec dag = c.dag();
    if (dag.outputs() == null) {
      return;
    }
    String what = path.equals("root") ? "the pipeline output" : "the component output";
    Map<String, OutputParameterSpec> declaredParams =
        c.outputDefinitions() == null ? Map.of() : c.outputDefinitions().parameters();
    Map<String, OutputArtifactSpec> declaredArtifacts =
        c.outputDefinitions() == null ? Map.of() : c.outputDefinitions().artifacts();
    dag.outputs()
        .parameters()
        .forEach(
            (name, out) -> {
              String at = path + ".dag.outputs.parameters." + name;
              if (out == null) {
                problems.add(new Problem(at, "is empty; give it a valueFromParameter"));
                return;
              }
              List<ParameterSelectorSpec> selectors = new ArrayList<>();
              if (out.valueFromParameter() != null) {
                selectors.add(out.valueFromParameter());
              }
              if (out.valueFromOneof() != null) {
                selectors.addAll(out.valueFromOneof().parameterSelectors());
              }
              if (selectors.isEmpty()) {
                problems.add(new Problem(at, "needs valueFromParameter or valueFromOneof"));
              }
              for (int i = 0; i < selectors.size(); i++) {
                ParameterSelectorSpec s = selectors.get(i);
                String where =
                    out.valueFromParameter() != null
                        ? at + ".valueFromParameter"
                        : at + ".valueFromOneof.parameterSelectors[" + i + "]";
                OutputParameterSpec from =
                    outputParameter(
                        dag,
                        components,
                        s.producerSubtask(),
                        s.outputParameterKey(),
                        where,
                        problems);
                OutputParameterSpec to = declaredParams.get(name);
                if (from != null
                    && to != null
                    && !iterates(dag, s.producerSubtask())
                    && to.parameterType() != ParameterType.LIST
                    && !assignable(from.parameterType(), to.parameterType())) {
                  problems.add(
                      new Problem(
                          at,
                          "type mismatch: task '"
                              + s.producerSubtask()
                              + "' output '"
                              + s.outputParameterKey()
                              + "' is "
                              + from.parameterType()
                              + " but "
                              + what
                              + " is "
                              + to.parameterType()));
                }
              }
            });
    dag.outputs()
        .artifacts()
        .forEach(
            (name, out) -> {
              String at = path + ".dag.outputs.artifacts." + name;
              if (out == null) {
                problems.add(new Problem(at, "is empty; give it artifactSelectors"));
                return;
              }
              if (out.artifactSelectors().isEmpty()) {
                problems.add(new Problem(at + ".artifactSelectors", "required"));
              }
              for (int i = 0; i < out.artifactSelectors().size(); i++) {
                ArtifactSelectorSpec s = out.artifactSelectors().get(i);
                OutputArtifactSpec from =
                    outputArtifact(
                        dag,
                        components,
                        s.producerSubtask(),
                        s.outputArtifactKey(),
                        at + ".artifactSelectors[" + i + "]",
                        problems);
                OutputArtifactSpec to = declaredArtifacts.get(name);
                if (from == null || to == null || iterates(dag, s.producerSubtask())) {
                  continue;
                }
                String fromTitle = title(from.artifactType());
                String toTitle = title(to.artifactType());
                String prefix =
                    "type mismatch: task '"
                        + s.producerSubtask()
                        + "' output '"
                        + s.outputArtifactKey()
                        + "' is ";
                if (!compatible(fromTitle, toTitle)) {
                  problems.add(
                      new Problem(at, prefix + fromTitle + " but " + what + " is " + toTitle));
                }
                if (Boolean.TRUE.equals(from.isArtifactList())
                    && !Boolean.TRUE.equals(to.isArtifactList())) {
                  problems.add(
                      new Problem(
                          at,
                          prefix
                              + "a list of artifacts but "
                              + what
                              + " is one artifact; declare the output with isArtifactList:"
                              + " true"));
                }
              }
            });
  }

  private static OutputParameterSpec outputParameter(
      DagSpec dag,
      Map<String, ComponentSpec> components,
      String producer,
      String key,
      String at,
      List<Problem> problems) {
    ComponentSpec comp = producerComponent(dag, components, producer, at, problems);
    if (comp == null) {
      return null;
    }
    Map<String, OutputParameterSpec> outs =
        comp.outputDefinitions() == null ? Map.of() : comp.outputDefinitions().parameters();
    OutputParameterSpec out = key == null ? null : outs.get(key);
    if (out == null) {
      problems.add(
          new Problem(
              at + ".outputParameterKey",
              "task '"
                  + producer
                  + "' has no output parameter '"
                  + key
                  + "'"
                  + known("its component", outs.keySet())));
    }
    return out;
  }

  private static OutputArtifactSpec outputArtifact(
      DagSpec dag,
      Map<String, ComponentSpec> components,
      String producer,
      String key,
      String at,
      List<Problem> problems) {
    ComponentSpec comp = producerComponent(dag, components, producer, at, problems);
    if (comp == null) {
      return null;
    }
    Map<String, OutputArtifactSpec> outs =
        comp.outputDefinitions() == null ? Map.of() : comp.outputDefinitions().artifacts();
    OutputArtifactSpec out = key == null ? null : outs.get(key);
    if (out == null) {
      problems.add(
          new Problem(
              at + ".outputArtifactKey",
              "task '"
                  + producer
                  + "' has no output artifact '"
                  + key
                  + "'"
                  + known("its component", outs.keySet())));
    }
    return out;
  }

  private static ComponentSpec producerComponent(
      DagSpec dag,
      Map<String, ComponentSpec> components,
      String producer,
      String at,
      List<Problem> problems) {
    PipelineTaskSpec task = producer == null ? null : dag.tasks().get(producer);
    if (task == null) {
      String field = at.contains(".taskOutput") ? ".producerTask" : ".producerSubtask";
      problems.add(
          new Problem(
              at + field,
              producer == null
                  ? "required: the name of a task in this DAG"
                  : "no task '"
                      + producer
                      + "' in this DAG"
                      + known("the DAG", dag.tasks().keySet())));
      return null;
    }
    return task.componentRef() == null ? null : components.get(task.componentRef().name());
  }

  private static void findCycle(
      String path, Map<String, Set<String>> edges, List<Problem> problems) {
    Map<String, Integer> state = new HashMap<>();
    for (String start : edges.keySet()) {
      List<String> stack = new ArrayList<>();
      if (visit(start, edges, state, stack)) {
        int from = stack.indexOf(stack.get(stack.size() - 1));
        problems.add(
            new Problem(
                path + ".dag.tasks",
                "cycle: "
                    + String.join(" -> ", stack.subList(from, stack.size()))
                    + " (each task waits for the next, through dependentTasks or its inputs);"
                    + " remove one of these dependencies"));
        return;
      }
    }
  }

  private static boolean visit(
      String node, Map<String, Set<String>> edges, Map<String, Integer> state, List<String> stack) {
    Integer s = state.get(node);
    if (s != null && s == 2) {
      return false;
    }
    stack.add(node);
    if (s != null && s == 1) {
      return true;
    }
    state.put(node, 1);
    for (String up : edges.getOrDefault(node, Set.of())) {
      if (visit(up, edges, state, stack)) {
        return true;
      }
    }
    state.put(node, 2);
    stack.remove(stack.size() - 1);
    return false;
  }

  private static void checkExecutor(String at, ExecutorSpec e, List<Problem> problems) {
    if (e.container() != null) {
      ContainerSpec c = e.container();
      if (c.image() == null || c.image().isBlank()) {
        problems.add(new Problem(at + ".container.image", "required"));
      }
      ResourceSpec r = c.resources();
      if (r != null) {
        checkQuantity(
            at + ".container.resources.resourceCpuLimit", r.resourceCpuLimit(), true, problems);
        checkQuantity(
            at + ".container.resources.resourceCpuRequest", r.resourceCpuRequest(), true, problems);
        checkQuantity(
            at + ".container.resources.resourceMemoryLimit",
            r.resourceMemoryLimit(),
            false,
            problems);
        checkQuantity(
            at + ".container.resources.resourceMemoryRequest",
            r.resourceMemoryRequest(),
            false,
            problems);
      }
    } else if (e.importer() == null && e.resolver() == null && e.customJob() == null) {
      problems.add(new Problem(at, "needs a container or an importer"));
    }
  }

  private static void checkQuantity(String at, String value, boolean cpu, List<Problem> problems) {
    if (value == null || value.contains("{{$")) {
      return;
    }
    try {
      if (cpu) {
        Quantities.cpu(value);
      } else {
        Quantities.bytes(value);
      }
    } catch (IllegalArgumentException e) {
      problems.add(new Problem(at, e.getMessage()));
    }
  }

  private static void checkDuration(String at, String value, List<Problem> problems) {
    if (value != null && !DURATION.matcher(value.strip()).matches()) {
      problems.add(new Problem(at, "'" + value + "' is not a duration such as 0s or 3.5s"));
    }
  }

  private static boolean compatible(String fromTitle, String toTitle) {
    return fromTitle.equals(toTitle)
        || fromTitle.equals("system.Artifact")
        || toTitle.equals("system.Artifact");
  }

  /** Whether a task is a loop, whose outputs are collected into lists. */
  private static boolean iterates(DagSpec dag, String task) {
    PipelineTaskSpec t = task == null ? null : dag.tasks().get(task);
    return t != null && (t.parameterIterator() != null || t.artifactIterator() != null);
  }

  private static String title(ArtifactTypeSchema t) {
    return t == null || t.schemaTitle() == null ? "system.Artifact" : t.schemaTitle();
  }

  private static boolean assignable(ParameterType from, ParameterType to) {
    if (from == null || to == null || from == to) {
      return true;
    }
    return (from == ParameterType.NUMBER_INTEGER && to == ParameterType.NUMBER_DOUBLE)
        || (from == ParameterType.TASK_FINAL_STATUS && to == ParameterType.STRUCT);
  }

  /** Why a JSON value is not of a parameter type, or {@code null} when it is. */
  public static String typeError(ParameterType type, JsonNode v) {
    if (v == null || v.isNull()) {
      return null;
    }
    boolean ok =
        switch (type) {
          case STRING -> v.isTextual();
          case NUMBER_INTEGER ->
              v.isIntegralNumber()
                  || (v.isNumber() && v.doubleValue() == Math.rint(v.doubleValue()));
          case NUMBER_DOUBLE -> v.isNumber();
          case BOOLEAN -> v.isBoolean();
          case LIST -> v.isArray();
          case STRUCT, TASK_FINAL_STATUS, TASK_CONFIG -> v.isObject();
          case PARAMETER_TYPE_ENUM_UNSPECIFIED -> true;
        };
    return ok ? null : "expected " + type + ", found " + describe(v);
  }

  private static String describe(JsonNode v) {
    String text = Json.write(v);
    return v.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
        + " "
        + (text.length() > 40 ? text.substring(0, 40) + "…" : text);
  }

  /**
   * Checks run parameters against the pipeline's root inputs: unknown names, values of the wrong
   * type, and required parameters without a value or default.
   */
  public static List<Problem> checkRunParameters(
      PipelineDocument doc, Map<String, JsonNode> params) {
    List<Problem> problems = new ArrayList<>();
    Map<String, ParameterSpec> defs =
        doc.spec().root() == null || doc.spec().root().inputDefinitions() == null
            ? Map.of()
            : doc.spec().root().inputDefinitions().parameters();
    for (Map.Entry<String, JsonNode> e : params.entrySet()) {
      ParameterSpec def = defs.get(e.getKey());
      if (def == null) {
        problems.add(
            new Problem(
                "parameters." + e.getKey(),
                "the pipeline has no parameter '"
                    + e.getKey()
                    + "'"
                    + (defs.isEmpty()
                        ? ""
                        : " (it has " + String.join(", ", defs.keySet()) + ")")));
        continue;
      }
      if (def.parameterType() != null) {
        String bad = typeError(def.parameterType(), e.getValue());
        if (bad != null) {
          problems.add(new Problem("parameters." + e.getKey(), bad));
        }
      }
    }
    for (Map.Entry<String, ParameterSpec> e : defs.entrySet()) {
      if (!params.containsKey(e.getKey())
          && e.getValue().defaultValue() == null
          && !Boolean.TRUE.equals(e.getValue().isOptional())) {
        problems.add(
            new Problem(
                "parameters." + e.getKey(),
                "required parameter '" + e.getKey() + "' has no value and no default"));
      }
    }
    return problems;
  }

  /**
   * A command-line value ({@code -p name=value}) as the JSON value of a parameter type: numbers and
   * booleans parsed, lists and structs read as JSON, strings taken as they are.
   *
   * @throws IllegalArgumentException saying what was expected
   */
  public static JsonNode coerceCliValue(ParameterType type, String text) {
    ParameterType t = type == null ? ParameterType.STRING : type;
    try {
      return switch (t) {
        case STRING, PARAMETER_TYPE_ENUM_UNSPECIFIED -> TextNode.valueOf(text);
        case NUMBER_INTEGER -> LongNode.valueOf(new BigDecimal(text.strip()).longValueExact());
        case NUMBER_DOUBLE -> {
          double d = Double.parseDouble(text.strip());
          if (!Double.isFinite(d)) {
            throw new IllegalArgumentException();
          }
          yield DoubleNode.valueOf(d);
        }
        case BOOLEAN -> {
          String s = text.strip().toLowerCase(java.util.Locale.ROOT);
          if (!s.equals("true") && !s.equals("false")) {
            throw new IllegalArgumentException();
          }
          yield BooleanNode.valueOf(s.equals("true"));
        }
        case LIST, STRUCT, TASK_FINAL_STATUS, TASK_CONFIG -> {
          JsonNode n = Json.parse(text);
          if (typeError(t, n) != null) {
            throw new IllegalArgumentException();
          }
          yield n;
        }
      };
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not "
              + switch (t) {
                case NUMBER_INTEGER -> "an integer";
                case NUMBER_DOUBLE -> "a number";
                case BOOLEAN -> "true or false";
                case LIST -> "a JSON list";
                default -> "a JSON object";
              });
    }
  }
}
