package dev.keel.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.keel.core.Ids;
import dev.keel.core.Json;
import dev.keel.pipelines.spec.ArtifactSelectorSpec;
import dev.keel.pipelines.spec.ArtifactSpec;
import dev.keel.pipelines.spec.ComponentSpec;
import dev.keel.pipelines.spec.ContainerSpec;
import dev.keel.pipelines.spec.DagOutputArtifactSpec;
import dev.keel.pipelines.spec.DagOutputParameterSpec;
import dev.keel.pipelines.spec.EnvVar;
import dev.keel.pipelines.spec.ExecutorSpec;
import dev.keel.pipelines.spec.ImporterSpec;
import dev.keel.pipelines.spec.InputArtifactSpec;
import dev.keel.pipelines.spec.InputParameterSpec;
import dev.keel.pipelines.spec.OutputArtifactSpec;
import dev.keel.pipelines.spec.OutputParameterSpec;
import dev.keel.pipelines.spec.ParameterSelectorSpec;
import dev.keel.pipelines.spec.ParameterSpec;
import dev.keel.pipelines.spec.PipelineDocument;
import dev.keel.pipelines.spec.PipelineTaskSpec;
import dev.keel.pipelines.spec.ResourceSpec;
import dev.keel.pipelines.spec.RetryPolicy;
import dev.keel.pipelines.spec.TriggerStrategy;
import dev.keel.runtime.LocalRuntime;
import dev.keel.runtime.Phase;
import dev.keel.runtime.ResourceRequest;
import dev.keel.runtime.Workload;
import dev.keel.runtime.WorkloadSpec;
import dev.keel.runtime.WorkloadStatus;
import dev.keel.store.ArtifactRecord;
import dev.keel.store.EventRecord;
import dev.keel.store.RunRecord;
import dev.keel.store.TaskRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Walks one run's DAG: the engine plays KFP's driver and launcher for each task. Every method runs
 * on the engine's single thread; every state change is committed to the store before it is acted
 * on, so a new process can pick the run up from the store alone.
 */
final class RunExecution {
  private static final Pattern RUNTIME_REF = Pattern.compile("\\{\\{\\$\\.([a-z_]+)\\}\\}");

  /** The folder, in a task's folder, where its program writes output parameters. */
  static final String PARAMETER_FOLDER = "output-parameters";

  private final PipelineEngine engine;
  private final PipelineDocument doc;
  private final Map<String, TaskRecord> stored = new HashMap<>();
  private final Map<String, TaskExec> running = new LinkedHashMap<>();
  final CompletableFuture<RunRecord> done = new CompletableFuture<>();

  RunRecord run;
  private DagExec root;
  private boolean stopping;
  boolean canceling;
  private boolean finished;
  private Path artifactDir;

  RunExecution(PipelineEngine engine, RunRecord run, PipelineDocument doc, List<TaskRecord> tasks) {
    this.engine = engine;
    this.run = run;
    this.doc = doc;
    for (TaskRecord t : tasks) {
      stored.put(t.path(), t);
    }
  }

  String runId() {
    return run.id();
  }

  /** The run's artifact folder, worked out once: every task's folder lies in it. */
  private Path artifactDir() {
    if (artifactDir == null) {
      artifactDir = engine.artifactDir(run);
    }
    return artifactDir;
  }

  // ---------------------------------------------------------------- run lifecycle

  void start() {
    if (RunState.valueOf(run.state()) == RunState.CANCELING) {
      canceling = true;
      stopping = true;
    } else if (!RunState.valueOf(run.state()).equals(RunState.RUNNING)) {
      setRunState(RunState.RUNNING, null);
    }
    Map<String, JsonNode> params = new LinkedHashMap<>();
    JsonNode given = Json.parse(run.runtimeConfig()).path("parameters");
    var defs = doc.spec().root().inputDefinitions();
    if (defs != null) {
      for (Map.Entry<String, ParameterSpec> e : defs.parameters().entrySet()) {
        JsonNode v = given.get(e.getKey());
        if (v == null) {
          v = e.getValue().defaultValue();
        }
        if (v != null) {
          params.put(e.getKey(), Values.normalise(e.getValue().parameterType(), v));
        }
      }
    }
    warnAboutPlatformFeatures();
    root = new DagExec("", doc.spec().root(), null, params, new LinkedHashMap<>());
    startDag(root);
  }

  /**
   * Says which kfp-kubernetes settings mean nothing on this machine: accepted, not dropped
   * silently.
   */
  private void warnAboutPlatformFeatures() {
    if (doc.platform() == null
        || doc.platform().platforms() == null
        || doc.platform().platforms().kubernetes() == null) {
      return;
    }
    var k8s = doc.platform().platforms().kubernetes();
    if (k8s.pipelineConfig() != null && !k8s.pipelineConfig().isEmpty()) {
      engine.event(
          run.id(), "Warning", "platform pipelineConfig is not applied when running locally");
    }
    if (k8s.deploymentSpec() == null) {
      return;
    }
    k8s.deploymentSpec()
        .executors()
        .forEach(
            (label, cfg) ->
                Json.json()
                    .valueToTree(cfg)
                    .fields()
                    .forEachRemaining(
                        e -> {
                          JsonNode v = e.getValue();
                          boolean set =
                              v != null && !v.isNull() && !(v.isContainerNode() && v.isEmpty());
                          if (set
                              && !e.getKey().equals("secretAsEnv")
                              && !e.getKey().equals("activeDeadlineSeconds")) {
                            engine.event(
                                run.id(),
                                "Warning",
                                "platform setting "
                                    + e.getKey()
                                    + " of "
                                    + label
                                    + " is accepted but not applied when running locally");
                          }
                        }));
  }

  void cancel() {
    if (finished || canceling) {
      return;
    }
    canceling = true;
    stopping = true;
    setRunState(RunState.CANCELING, null);
    List<Workload> kill = new ArrayList<>();
    for (TaskExec t : running.values()) {
      if (t.workload != null) {
        kill.add(t.workload);
      }
    }
    engine.afterCommit(() -> kill.forEach(Workload::cancel));
    maybeFinishAll();
  }

  /** Ends the run FAILED after an unexpected error inside the engine, stopping its processes. */
  void crash(Throwable e) {
    if (finished) {
      return;
    }
    finished = true;
    for (TaskExec t : List.copyOf(running.values())) {
      if (t.workload != null) {
        t.workload.cancel();
      }
    }
    setRunState(RunState.FAILED, "internal error: " + e);
    engine.finished(this);
    RunRecord ended = run;
    engine.afterCommit(() -> done.complete(ended)); // a waiter may exit the JVM at once
  }

  private void maybeFinishAll() {
    if (root != null && root.active == 0 && !root.finished) {
      finishDag(root);
    }
  }

  private void finishRun(boolean succeeded) {
    if (finished) {
      return;
    }
    finished = true;
    RunState end = canceling ? RunState.CANCELED : succeeded ? RunState.SUCCEEDED : RunState.FAILED;
    if (succeeded && !canceling) {
      ObjectNode outputs = TaskExec.io(new LinkedHashMap<>(), new LinkedHashMap<>());
      try {
        Map<String, JsonNode> p = new LinkedHashMap<>();
        Map<String, List<ArtifactRef>> a = new LinkedHashMap<>();
        resolveDagOutputs(root, p, a);
        outputs = TaskExec.io(p, a);
      } catch (TaskFailure e) {
        end = RunState.FAILED;
        engine.event(run.id(), "Warning", "pipeline outputs: " + e.getMessage());
      }
      engine.store().runs().setOutputs(run.id(), Json.write(outputs));
    }
    String error = end == RunState.FAILED ? firstError() : null;
    setRunState(end, error);
    engine.finished(this);
    RunRecord ended = run;
    engine.afterCommit(() -> done.complete(ended)); // a waiter may exit the JVM at once
  }

  private String firstError() {
    for (TaskExec t : allTasks(root, new ArrayList<>())) {
      if (t.state == TaskState.FAILED && t.error != null && t.child == null && t.loop == null) {
        return "task " + t.path + ": " + t.error;
      }
    }
    for (TaskExec t : allTasks(root, new ArrayList<>())) {
      if (t.state == TaskState.FAILED && t.error != null && t.loop != null) {
        return "task " + t.path + ": " + t.error;
      }
    }
    return "a task failed";
  }

  private List<TaskExec> allTasks(DagExec dag, List<TaskExec> into) {
    for (TaskExec t : dag.tasks.values()) {
      into.add(t);
      if (t.child != null) {
        allTasks(t.child, into);
      }
      if (t.loop != null) {
        new java.util.TreeMap<>(t.loop.dags).values().forEach(d -> allTasks(d, into));
      }
    }
    return into;
  }

  private void setRunState(RunState state, String error) {
    Instant now = engine.now();
    engine
        .store()
        .runs()
        .updateState(run.id(), state.name(), error, now, state.isTerminal() ? now : null);
    run = engine.store().runs().get(run.id()).orElse(run);
    engine.listener().runChanged(run);
  }

  // ---------------------------------------------------------------- DAG scheduling

  private void startDag(DagExec dag) {
    if (dag.component.dag() == null) {
      throw new IllegalStateException("component of " + dag.path + " has no dag");
    }
    for (Map.Entry<String, PipelineTaskSpec> e : dag.component.dag().tasks().entrySet()) {
      PipelineTaskSpec spec = e.getValue();
      ComponentSpec comp =
          spec.componentRef() == null
              ? null
              : doc.spec().components().get(spec.componentRef().name());
      TaskExec t = new TaskExec(e.getKey(), dag.childPath(e.getKey()), spec, comp, dag);
      TaskRecord r = stored.get(t.path);
      if (r != null) {
        t.restore(r);
      }
      dag.tasks.put(t.name, t);
    }
    for (TaskExec t : dag.tasks.values()) {
      for (String up : upstreamNames(t.spec)) {
        TaskExec u = dag.tasks.get(up);
        if (u != null && !t.upstream.contains(u)) {
          t.upstream.add(u);
          u.downstream.add(t);
        }
      }
    }
    List<TaskExec> ready = new ArrayList<>();
    for (TaskExec t : dag.tasks.values()) {
      if (t.state.isTerminal()) {
        continue;
      }
      t.waiting = 0;
      for (TaskExec u : t.upstream) {
        if (!u.state.isTerminal()) {
          t.waiting++;
        }
      }
      if (t.waiting == 0 && canRun(t)) {
        ready.add(t);
      }
    }
    for (TaskExec t : ready) {
      schedule(t);
    }
    if (dag.active == 0) {
      finishDag(dag);
    }
  }

  private static List<String> upstreamNames(PipelineTaskSpec spec) {
    List<String> names = new ArrayList<>(spec.dependentTasks());
    if (spec.inputs() != null) {
      for (InputParameterSpec p : spec.inputs().parameters().values()) {
        if (p.taskOutputParameter() != null) {
          names.add(p.taskOutputParameter().producerTask());
        }
        if (p.taskFinalStatus() != null) {
          names.add(p.taskFinalStatus().producerTask());
        }
      }
      for (InputArtifactSpec a : spec.inputs().artifacts().values()) {
        if (a.taskOutputArtifact() != null) {
          names.add(a.taskOutputArtifact().producerTask());
        }
      }
    }
    return names;
  }

  /** Whether a task whose upstream tasks have all ended may run. */
  private boolean canRun(TaskExec t) {
    boolean allCompleted =
        t.spec.triggerPolicy() != null
            && t.spec.triggerPolicy().strategy() == TriggerStrategy.ALL_UPSTREAM_TASKS_COMPLETED;
    if (stopping && !(allCompleted && !canceling)) {
      return false;
    }
    if (allCompleted) {
      return true;
    }
    for (TaskExec u : t.upstream) {
      // a task whose condition did not hold ended without outputs, which is not a failure
      if (!u.state.isSuccess() && u.state != TaskState.NOT_TRIGGERED) {
        return false;
      }
    }
    return true;
  }

  private void taskEnded(TaskExec t) {
    DagExec dag = t.parent;
    running.remove(t.path);
    dag.active--;
    if (!t.state.isSuccess() && t.state != TaskState.NOT_TRIGGERED) {
      stopping = true;
    }
    for (TaskExec d : t.downstream) {
      if (d.state.isTerminal() || d.waiting == 0) {
        continue;
      }
      d.waiting--;
      if (d.waiting == 0 && canRun(d)) {
        schedule(d);
      }
    }
    if (dag.active == 0 && !dag.finished) {
      finishDag(dag);
    }
  }

  private void finishDag(DagExec dag) {
    dag.finished = true;
    boolean ok = !canceling;
    for (TaskExec t : dag.tasks.values()) {
      if (!t.state.isSuccess() && t.state != TaskState.NOT_TRIGGERED) {
        ok = false;
      }
    }
    if (dag.owner == null) {
      finishRun(ok);
      return;
    }
    if (dag.iteration >= 0) {
      iterationEnded(dag, ok);
      return;
    }
    TaskExec owner = dag.owner;
    if (ok) {
      try {
        resolveDagOutputs(dag, owner.outputParams, owner.outputArtifacts);
        complete(owner, TaskState.SUCCEEDED, null);
      } catch (TaskFailure e) {
        complete(owner, TaskState.FAILED, e.getMessage());
      }
    } else {
      complete(owner, canceling ? TaskState.CANCELED : TaskState.FAILED, "a task inside failed");
    }
  }

  private void resolveDagOutputs(
      DagExec dag, Map<String, JsonNode> params, Map<String, List<ArtifactRef>> artifacts) {
    resolveDagOutputs(dag, params, artifacts, false);
  }

  /**
   * Selects a DAG's outputs from its tasks. {@code lenient} skips outputs whose producer did not
   * run, as a loop's collected outputs do for iterations where a condition did not hold.
   */
  private void resolveDagOutputs(
      DagExec dag,
      Map<String, JsonNode> params,
      Map<String, List<ArtifactRef>> artifacts,
      boolean lenient) {
    var outs = dag.component.dag().outputs();
    if (outs == null) {
      return;
    }
    for (Map.Entry<String, DagOutputParameterSpec> e : outs.parameters().entrySet()) {
      DagOutputParameterSpec spec = e.getValue();
      List<ParameterSelectorSpec> selectors = new ArrayList<>();
      if (spec.valueFromParameter() != null) {
        selectors.add(spec.valueFromParameter());
      }
      if (spec.valueFromOneof() != null) {
        selectors.addAll(spec.valueFromOneof().parameterSelectors());
      }
      for (ParameterSelectorSpec s : selectors) {
        TaskExec producer = dag.tasks.get(s.producerSubtask());
        if (producer != null
            && producer.state.isSuccess()
            && producer.outputParams.containsKey(s.outputParameterKey())) {
          params.put(e.getKey(), producer.outputParams.get(s.outputParameterKey()));
          break;
        }
      }
      if (!params.containsKey(e.getKey()) && !lenient) {
        throw new TaskFailure("output parameter '" + e.getKey() + "' was not produced");
      }
    }
    for (Map.Entry<String, DagOutputArtifactSpec> e : outs.artifacts().entrySet()) {
      for (ArtifactSelectorSpec s : e.getValue().artifactSelectors()) {
        TaskExec producer = dag.tasks.get(s.producerSubtask());
        if (producer != null
            && producer.state.isSuccess()
            && producer.outputArtifacts.containsKey(s.outputArtifactKey())) {
          artifacts.put(e.getKey(), producer.outputArtifacts.get(s.outputArtifactKey()));
          break;
        }
      }
      if (!artifacts.containsKey(e.getKey()) && !lenient) {
        throw new TaskFailure("output artifact '" + e.getKey() + "' was not produced");
      }
    }
  }

  // ---------------------------------------------------------------- one task

  /**
   * Counts a ready task as active at once and launches it on a later turn of the engine loop, so
   * that tasks ending synchronously (cache hits) never let a DAG look finished too early.
   */
  private void schedule(TaskExec t) {
    t.parent.active++;
    running.put(t.path, t);
    engine.post(
        this,
        () -> {
          if (finished) {
            return;
          }
          if (canceling) {
            complete(t, TaskState.CANCELED, "canceled before it started");
            return;
          }
          launch(t);
        });
  }

  private void launch(TaskExec t) {
    try {
      if (t.component == null) {
        throw new TaskFailure("component '" + t.componentName() + "' does not exist");
      }
      ExecutorSpec exec = null;
      if (t.component.dag() == null) {
        exec = engine.executor(doc, t.component.executorLabel());
        if (exec == null) {
          throw new TaskFailure("executor '" + t.component.executorLabel() + "' does not exist");
        }
        if (exec.importer() == null && exec.container() == null) {
          throw new TaskFailure(
              "executor '" + t.component.executorLabel() + "' has no container or importer");
        }
        if (exec.container() != null
            && exec.container().command().isEmpty()
            && LocalVolumes.step(exec.container().image()) == null) {
          throw new TaskFailure(
              "the task relies on the entrypoint of image '"
                  + exec.container().image()
                  + "' (it has args but no command), and that image's programs are not on this"
                  + " machine; give the container a command, or map the image to a local program");
        }
      }
      resolveInputs(t);
      if (t.spec.triggerPolicy() != null && hasText(t.spec.triggerPolicy().condition())) {
        boolean holds;
        try {
          holds = Expressions.condition(t.spec.triggerPolicy().condition(), t.inputParams);
        } catch (IllegalArgumentException e) {
          throw new TaskFailure(e.getMessage());
        }
        if (!holds) {
          t.startedAt = engine.now();
          complete(t, TaskState.NOT_TRIGGERED, null);
          return;
        }
      }
      if (t.spec.parameterIterator() != null || t.spec.artifactIterator() != null) {
        startLoop(t);
        return;
      }
      if (exec == null) {
        startSubDag(t);
        return;
      }
      if (exec.importer() != null) {
        runImporter(t, exec.importer());
        return;
      }
      LocalVolumes.Step volumeStep = LocalVolumes.step(exec.container().image());
      if (volumeStep != null) {
        runVolumeStep(t, volumeStep);
        return;
      }
      runContainer(t, exec.container());
    } catch (TaskFailure | Placeholders.PlaceholderException e) {
      if (!t.recorded) {
        record(t, TaskState.RUNNING);
      }
      complete(t, TaskState.FAILED, e.getMessage());
    }
  }

  private void startSubDag(TaskExec t) {
    if (!t.recorded || t.state != TaskState.RUNNING) {
      t.startedAt = engine.now();
      record(t, TaskState.RUNNING);
    }
    t.child =
        new DagExec(
            t.path,
            t.component,
            t,
            new LinkedHashMap<>(t.inputParams),
            new LinkedHashMap<>(t.inputArtifacts));
    startDag(t.child);
  }

  // ---------------------------------------------------------------- ParallelFor

  /**
   * Starts a ParallelFor: one DAG of the loop component per item, at most parallelismLimit at once.
   */
  private void startLoop(TaskExec t) {
    List<JsonNode> items = new ArrayList<>();
    List<ArtifactRef> artifactItems = new ArrayList<>();
    if (t.spec.parameterIterator() != null) {
      var it = t.spec.parameterIterator();
      JsonNode list;
      if (it.items() != null && it.items().raw() != null) {
        list = Json.parse(it.items().raw());
      } else {
        String name = it.items() == null ? null : it.items().inputParameter();
        list = name == null ? null : t.inputParams.get(name);
        if (list != null && list.isTextual()) {
          try {
            list = Json.parse(list.textValue());
          } catch (RuntimeException e) {
            list = null;
          }
        }
      }
      if (list == null || !list.isArray()) {
        throw new TaskFailure("ParallelFor items are not a list");
      }
      list.forEach(items::add);
    } else {
      String name = t.spec.artifactIterator().items().inputArtifact();
      artifactItems.addAll(t.inputArtifacts.getOrDefault(name, List.of()));
    }
    if (!t.recorded || t.state != TaskState.RUNNING) {
      t.startedAt = engine.now();
      record(t, TaskState.RUNNING);
    }
    t.loop =
        new LoopState(t.spec.parameterIterator() != null ? items.size() : artifactItems.size());
    t.loop.items = items;
    t.loop.artifactItems = artifactItems;
    int limit =
        t.spec.iteratorPolicy() == null || t.spec.iteratorPolicy().parallelismLimit() == null
            ? 0
            : t.spec.iteratorPolicy().parallelismLimit();
    int first = limit <= 0 ? t.loop.size : Math.min(limit, t.loop.size);
    if (t.loop.size == 0) {
      finishLoop(t);
      return;
    }
    for (int i = 0; i < first; i++) {
      scheduleIteration(t);
    }
  }

  private void scheduleIteration(TaskExec t) {
    int i = t.loop.next++;
    t.loop.running++;
    engine.post(this, () -> startIteration(t, i));
  }

  private void startIteration(TaskExec t, int i) {
    if (finished) {
      return;
    }
    Map<String, JsonNode> params = new LinkedHashMap<>(t.inputParams);
    Map<String, List<ArtifactRef>> artifacts = new LinkedHashMap<>(t.inputArtifacts);
    if (t.spec.parameterIterator() != null) {
      params.put(t.spec.parameterIterator().itemInput(), t.loop.items.get(i));
    } else {
      artifacts.put(t.spec.artifactIterator().itemInput(), List.of(t.loop.artifactItems.get(i)));
    }
    // "(i)" as Argo names iterations: unlike "[i]", it needs no escaping in a file:// URI
    DagExec d = new DagExec(t.path + "(" + i + ")", t.component, t, params, artifacts);
    d.iteration = i;
    t.loop.dags.put(i, d);
    startDag(d);
  }

  private void iterationEnded(DagExec dag, boolean ok) {
    TaskExec t = dag.owner;
    t.loop.running--;
    if (!ok) {
      t.loop.failed = true;
    }
    if (!t.loop.failed && !stopping && t.loop.next < t.loop.size) {
      scheduleIteration(t);
    }
    if (t.loop.running == 0 && (t.loop.next >= t.loop.size || t.loop.failed || stopping)) {
      finishLoop(t);
    }
  }

  /** Ends a loop: outputs of every iteration are collected into lists, in item order. */
  private void finishLoop(TaskExec t) {
    if (t.loop.failed || canceling || t.loop.next < t.loop.size) {
      complete(
          t,
          canceling ? TaskState.CANCELED : TaskState.FAILED,
          canceling ? "canceled" : "an iteration failed");
      return;
    }
    var outs = t.component.dag().outputs();
    if (outs != null) {
      try {
        for (String name : outs.parameters().keySet()) {
          t.outputParams.put(name, Json.json().createArrayNode());
        }
        for (String name : outs.artifacts().keySet()) {
          t.outputArtifacts.put(name, new ArrayList<>());
        }
        for (int i = 0; i < t.loop.size; i++) {
          Map<String, JsonNode> p = new LinkedHashMap<>();
          Map<String, List<ArtifactRef>> a = new LinkedHashMap<>();
          resolveDagOutputs(t.loop.dags.get(i), p, a, true);
          p.forEach(
              (k, v) ->
                  ((com.fasterxml.jackson.databind.node.ArrayNode) t.outputParams.get(k)).add(v));
          a.forEach((k, v) -> t.outputArtifacts.get(k).addAll(v));
        }
      } catch (TaskFailure e) {
        complete(t, TaskState.FAILED, e.getMessage());
        return;
      }
    }
    complete(t, TaskState.SUCCEEDED, null);
  }

  private void resolveInputs(TaskExec t) {
    DagExec dag = t.parent;
    t.inputsChanging();
    t.inputParams.clear();
    t.inputArtifacts.clear();
    if (t.spec.inputs() != null) {
      for (Map.Entry<String, InputParameterSpec> e : t.spec.inputs().parameters().entrySet()) {
        InputParameterSpec in = e.getValue();
        JsonNode v = null;
        if (in.runtimeValue() != null) {
          v =
              in.runtimeValue().constant() != null
                  ? in.runtimeValue().constant()
                  : in.runtimeValue().constantValue();
          if (v != null && v.isTextual() && v.textValue().contains("{{$.")) {
            v = TextNode.valueOf(runtimeText(v.textValue(), t));
          }
        } else if (in.componentInputParameter() != null) {
          v = dag.inputParams.get(in.componentInputParameter());
        } else if (in.taskOutputParameter() != null) {
          TaskExec p = dag.tasks.get(in.taskOutputParameter().producerTask());
          v = p == null ? null : p.outputParams.get(in.taskOutputParameter().outputParameterKey());
          if (v == null && p != null && !p.state.isSuccess()) {
            // the producer failed or did not run (ignore_upstream_failure): the input's default
            // applies, or it is reported missing below
            continue;
          }
          if (v == null) {
            throw new TaskFailure(
                "input '"
                    + e.getKey()
                    + "': task '"
                    + in.taskOutputParameter().producerTask()
                    + "' produced no output parameter '"
                    + in.taskOutputParameter().outputParameterKey()
                    + "'");
          }
        } else if (in.taskFinalStatus() != null) {
          TaskExec p = dag.tasks.get(in.taskFinalStatus().producerTask());
          ObjectNode status = Json.json().createObjectNode();
          status.put("state", p == null ? "UNKNOWN" : finalStatusName(p.state));
          status.put("pipelineJobResourceName", resourceName());
          status.put("pipelineTaskName", in.taskFinalStatus().producerTask());
          ObjectNode err = status.putObject("error");
          if (p != null && p.error != null) {
            err.put("message", p.error);
          }
          v = status;
        }
        if (v != null && hasText(in.parameterExpressionSelector())) {
          try {
            v = Expressions.select(in.parameterExpressionSelector(), v);
          } catch (IllegalArgumentException x) {
            throw new TaskFailure("input '" + e.getKey() + "': " + x.getMessage());
          }
        }
        if (v != null) {
          t.inputParams.put(e.getKey(), v);
        }
      }
      for (Map.Entry<String, InputArtifactSpec> e : t.spec.inputs().artifacts().entrySet()) {
        InputArtifactSpec in = e.getValue();
        List<ArtifactRef> refs = null;
        if (in.componentInputArtifact() != null) {
          refs = dag.inputArtifacts.get(in.componentInputArtifact());
        } else if (in.taskOutputArtifact() != null) {
          TaskExec p = dag.tasks.get(in.taskOutputArtifact().producerTask());
          refs =
              p == null ? null : p.outputArtifacts.get(in.taskOutputArtifact().outputArtifactKey());
          if (refs == null) {
            throw new TaskFailure(
                "input '"
                    + e.getKey()
                    + "': task '"
                    + in.taskOutputArtifact().producerTask()
                    + "' produced no output artifact '"
                    + in.taskOutputArtifact().outputArtifactKey()
                    + "'");
          }
        }
        if (refs != null) {
          t.inputArtifacts.put(e.getKey(), refs);
        }
      }
    }
    var defs = t.component.inputDefinitions();
    String itemInput =
        t.spec.parameterIterator() != null
            ? t.spec.parameterIterator().itemInput()
            : t.spec.artifactIterator() != null ? t.spec.artifactIterator().itemInput() : null;
    if (defs != null) {
      for (Map.Entry<String, ParameterSpec> e : defs.parameters().entrySet()) {
        if (e.getKey().equals(itemInput)) {
          continue; // each iteration receives its item under this name
        }
        ParameterSpec def = e.getValue();
        JsonNode v = t.inputParams.get(e.getKey());
        if (v == null && def.defaultValue() != null) {
          v = def.defaultValue();
        }
        if (v == null) {
          if (!Boolean.TRUE.equals(def.isOptional())) {
            throw new TaskFailure("required input parameter '" + e.getKey() + "' has no value");
          }
          continue;
        }
        t.inputParams.put(e.getKey(), Values.normalise(def.parameterType(), v));
      }
      for (Map.Entry<String, ArtifactSpec> e : defs.artifacts().entrySet()) {
        if (!t.inputArtifacts.containsKey(e.getKey())
            && !e.getKey().equals(itemInput)
            && !Boolean.TRUE.equals(e.getValue().isOptional())) {
          throw new TaskFailure("required input artifact '" + e.getKey() + "' has no value");
        }
      }
    }
  }

  private static String finalStatusName(TaskState s) {
    return switch (s) {
      case SUCCEEDED, CACHED -> "SUCCEEDED";
      case CANCELED -> "CANCELLED";
      case FAILED -> "FAILED";
      default -> s.name();
    };
  }

  private String runtimeText(String text, TaskExec t) {
    Matcher m = RUNTIME_REF.matcher(text);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String v = runtimeValue(m.group(1), t);
      m.appendReplacement(sb, Matcher.quoteReplacement(v == null ? m.group() : v));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  /** The run's name as KFP's Argo workflow would have it: pipeline name and a short suffix. */
  private String resourceName() {
    // the id's last characters: its first ones are a timestamp that runs started together share
    return run.pipelineName() + "-" + run.id().substring(run.id().length() - 8);
  }

  String runtimeValue(String name, TaskExec t) {
    return switch (name) {
      case "pipeline_job_name" -> run.displayName();
      case "pipeline_job_resource_name" -> resourceName();
      case "pipeline_job_uuid" -> run.id();
      case "pipeline_task_name" -> t.name;
      case "pipeline_task_uuid" -> t.id != null ? t.id : (t.id = Ids.newId());
      case "pipeline_job_create_time_utc" -> run.createdAt().toString();
      case "pipeline_job_schedule_time_utc" ->
          (run.scheduledAt() != null ? run.scheduledAt() : run.createdAt()).toString();
      case "pipeline_root" -> LocalPaths.uriOf(engine.artifactRoot());
      case "workspace_path" -> engine.runDir(run.id()).resolve("workspace").toString();
      default -> null;
    };
  }

  private void runImporter(TaskExec t, ImporterSpec importer) {
    String uri = null;
    if (importer.artifactUri() != null) {
      if (importer.artifactUri().runtimeParameter() != null) {
        JsonNode v = t.inputParams.get(importer.artifactUri().runtimeParameter());
        uri = v == null ? null : Values.text(v);
      } else if (importer.artifactUri().constant() != null) {
        uri = Values.text(importer.artifactUri().constant());
      } else if (importer.artifactUri().constantValue() != null) {
        uri = importer.artifactUri().constantValue().path("stringValue").asText(null);
      }
    }
    if (uri == null || uri.isBlank()) {
      throw new TaskFailure("importer has no artifact URI");
    }
    ObjectNode metadata = Json.json().createObjectNode();
    if (importer.metadata() != null && importer.metadata().isObject()) {
      PlaceholderScope scope = new PlaceholderScope(t, Map.of(), Map.of(), "", "");
      importer
          .metadata()
          .fields()
          .forEachRemaining(
              e ->
                  metadata.set(
                      Placeholders.expand(e.getKey(), scope),
                      e.getValue().isTextual()
                          ? TextNode.valueOf(Placeholders.expand(e.getValue().textValue(), scope))
                          : e.getValue()));
    }
    String title =
        importer.typeSchema() == null ? "system.Artifact" : importer.typeSchema().schemaTitle();
    String version =
        importer.typeSchema() == null || importer.typeSchema().schemaVersion() == null
            ? "0.0.1"
            : importer.typeSchema().schemaVersion();
    t.startedAt = engine.now();
    record(t, TaskState.RUNNING);
    ArtifactRef ref = new ArtifactRef(Ids.newId(), "artifact", uri, title, version, metadata);
    t.outputArtifacts.put("artifact", List.of(ref));
    succeed(t, List.of(ref));
  }

  /**
   * kfp-kubernetes' CreatePVC and DeletePVC, which run no program: a volume is a folder of the
   * namespace's (see {@link LocalVolumes}).
   */
  private void runVolumeStep(TaskExec t, LocalVolumes.Step step) {
    t.startedAt = engine.now();
    record(t, TaskState.RUNNING);
    LocalVolumes volumes = new LocalVolumes(engine.volumeRoot());
    String message;
    try {
      if (step == LocalVolumes.Step.CREATE) {
        String name = LocalVolumes.nameFor(t.inputParams, resourceName());
        message = volumes.create(run.namespace(), name);
        t.outputParams.put("name", TextNode.valueOf(name));
      } else {
        JsonNode name = t.inputParams.get("pvc_name");
        message = volumes.delete(run.namespace(), name == null ? "" : Values.text(name));
      }
    } catch (IllegalArgumentException e) {
      throw new TaskFailure(e.getMessage());
    }
    engine.event(run.id(), "Normal", t.path + ": " + message);
    succeed(t, List.of());
  }

  private void runContainer(TaskExec t, ContainerSpec container) {
    boolean cache =
        engine.cacheEnabled()
            && t.spec.cachingOptions() != null
            && Boolean.TRUE.equals(t.spec.cachingOptions().enableCache());
    if (cache) {
      String key = t.spec.cachingOptions().cacheKey();
      t.fingerprint =
          hasText(key)
              ? Fingerprint.ofCacheKey(t.componentName(), key)
              : Fingerprint.of(
                  t.inputParams, t.inputArtifacts, t.component.outputDefinitions(), container);
      var hit =
          engine.store().tasks().findCached(run.namespace(), run.pipelineName(), t.fingerprint);
      if (hit.isPresent()) {
        TaskRecord from = hit.get();
        TaskExec.readIo(from.outputs(), t.outputParams, t.outputArtifacts);
        t.cachedFromTaskId = from.id();
        t.startedAt = engine.now();
        complete(t, TaskState.CACHED, null);
        return;
      }
    } else {
      t.fingerprint = null;
    }
    t.attempt++;
    // One folder per task, where KFP keeps the task's artifacts (<run's artifact root>/<task>):
    // its working directory, its output artifacts, its logs, the executor output file and the
    // output parameter files, as a workflow engine's task work folder. One folder and not one for
    // each: creating folders is a large part of what a no-op task costs. The names Keel gives its
    // own files cannot be KFP output names, which are identifiers.
    Path taskDir = artifactDir().resolve(t.path);
    Path outDir = taskDir.resolve(PARAMETER_FOLDER);
    Map<String, ArtifactRef> outArtifacts = new LinkedHashMap<>();
    Map<String, String> outParamFiles = new LinkedHashMap<>();
    String outputFile = taskDir.resolve("executor_output.json").toString();
    List<Path> folders = new ArrayList<>();
    try {
      if (t.attempt > 1) {
        Files.deleteIfExists(Path.of(outputFile)); // what an earlier attempt wrote
      }
      var outs = t.component.outputDefinitions();
      if (outs != null) {
        for (Map.Entry<String, OutputArtifactSpec> e : outs.artifacts().entrySet()) {
          Path p = taskDir.resolve(e.getKey());
          if (t.attempt > 1) {
            deleteTree(p);
          }
          var type = e.getValue().artifactType();
          outArtifacts.put(
              e.getKey(),
              new ArtifactRef(
                  Ids.newId(),
                  e.getKey(),
                  LocalPaths.uriOfNew(p),
                  type == null || type.schemaTitle() == null
                      ? "system.Artifact"
                      : type.schemaTitle(),
                  type == null || type.schemaVersion() == null ? "0.0.1" : type.schemaVersion(),
                  Json.json().createObjectNode()));
        }
        if (!outs.parameters().isEmpty()) {
          deleteTree(outDir);
          folders.add(outDir);
        }
        for (String name : outs.parameters().keySet()) {
          outParamFiles.put(name, outDir.resolve(name).toString());
        }
      }
    } catch (IOException e) {
      throw new TaskFailure("cannot prepare output folders: " + e.getMessage());
    }
    PlaceholderScope scope = new PlaceholderScope(t, outArtifacts, outParamFiles, outputFile, null);
    // most commands never use {{$}}: the executor input is written only when one does
    scope.executorInputSource = () -> executorInput(t, outArtifacts, outParamFiles, outputFile);
    List<String> command = Placeholders.expandArgv(container.command(), scope);
    List<String> args = Placeholders.expandArgv(container.args(), scope);
    String image = Placeholders.expand(container.image() == null ? "" : container.image(), scope);
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar v : container.env()) {
      env.put(
          v.name(), expandEnv(Placeholders.expand(v.value() == null ? "" : v.value(), scope), env));
    }
    secretEnv(t, env);
    PythonComponents.Launch python = PythonComponents.recognise(command);
    if (python != null) {
      command = python.command();
      String path = engine.pythonRuntime().toString();
      String existing = env.getOrDefault("PYTHONPATH", System.getenv("PYTHONPATH"));
      env.put("PYTHONPATH", existing == null || existing.isBlank() ? path : path + ":" + existing);
      env.put("KEEL_KFP_PACKAGES", String.join("\n", python.packages()));
      // KFP's launcher writes the component's source into a fresh `mktemp -d`, which in a pod is
      // the container's own /tmp and goes with it; on this machine it would be a folder left in
      // the host's /tmp for every task run. The task's folder takes its place (a TMPDIR the
      // component sets itself is kept).
      env.putIfAbsent("TMPDIR", taskDir.toString());
    }
    env.put("KFP_POD_NAME", "keel-" + run.id() + "-" + t.name);
    env.put("KEEL_RUN_ID", run.id());
    env.put("KEEL_TASK_PATH", t.path);
    ResourceRequest resources = resources(container.resources(), scope);
    Path log = taskDir.resolve("attempt-" + t.attempt + ".log");
    t.logPath = log.toString();
    t.error = null;
    t.startedAt = engine.now();
    t.finishedAt = null;
    t.pid = null;
    t.pidStartedAt = null;
    t.workloadId = null;
    t.outputParams.clear();
    t.outputArtifacts.clear();
    record(t, TaskState.RUNNING);
    WorkloadSpec spec =
        WorkloadSpec.builder(run.id() + "/" + t.path)
            .namespace(run.namespace())
            .owner(run.id())
            .image(image)
            .command(command)
            .args(args)
            .env(env)
            .workingDir(taskDir)
            .directories(folders)
            .resources(resources)
            .logFile(log)
            .logLimitBytes(engine.logLimitBytes())
            .timeout(timeout(t))
            .build();
    int attempt = t.attempt;
    engine.afterCommit(
        () -> startWorkload(t, attempt, spec, outArtifacts, outParamFiles, outputFile));
  }

  /** Starts a task's process once its RUNNING state is committed. */
  private void startWorkload(
      TaskExec t,
      int attempt,
      WorkloadSpec spec,
      Map<String, ArtifactRef> outArtifacts,
      Map<String, String> outParamFiles,
      String outputFile) {
    if (finished || t.attempt != attempt || t.state != TaskState.RUNNING) {
      return; // the run ended in between
    }
    if (canceling) {
      complete(t, TaskState.CANCELED, "canceled before it started");
      return;
    }
    Workload w = engine.runtime().launch(spec);
    t.workload = w;
    w.completion()
        .whenComplete(
            (status, err) ->
                engine.post(
                    this,
                    () -> workloadEnded(t, w, outArtifacts, outParamFiles, outputFile, status)));
  }

  /**
   * Environment from secrets (kfp-kubernetes {@code secretAsEnv}), read from Keel's secret store in
   * the run's namespace; the secret's name may come from a constant, a pipeline input or an
   * upstream task's output.
   */
  private void secretEnv(TaskExec t, Map<String, String> env) {
    var cfg = engine.kubernetesConfig(doc, t.component.executorLabel());
    if (cfg == null) {
      return;
    }
    for (JsonNode entry : cfg.secretAsEnv()) {
      boolean optional = entry.path("optional").asBoolean(false);
      String name = secretName(t, entry);
      if (name == null) {
        throw new TaskFailure("secretAsEnv: the secret's name has no value");
      }
      var data = engine.store().secrets().get(run.namespace(), name);
      if (data.isEmpty()) {
        if (optional) {
          continue;
        }
        throw new TaskFailure(
            "secret '"
                + name
                + "' not found in namespace '"
                + run.namespace()
                + "'; create it with: keel secrets create "
                + name
                + " --from-literal KEY=VALUE");
      }
      for (JsonNode k : entry.path("keyToEnv")) {
        String key = k.path("secretKey").asText();
        String value = data.get().get(key);
        if (value == null && !optional) {
          throw new TaskFailure("secret '" + name + "' has no key '" + key + "'");
        }
        if (value != null) {
          env.put(k.path("envVar").asText(), value);
        }
      }
    }
  }

  private String secretName(TaskExec t, JsonNode entry) {
    JsonNode p = entry.path("secretNameParameter");
    if (p.has("runtimeValue")) {
      return Values.text(p.path("runtimeValue").path("constant"));
    }
    if (p.has("componentInputParameter")) {
      JsonNode v = t.parent.inputParams.get(p.path("componentInputParameter").asText());
      return v == null ? null : Values.text(v);
    }
    if (p.has("taskOutputParameter")) {
      TaskExec producer =
          t.parent.tasks.get(p.path("taskOutputParameter").path("producerTask").asText());
      JsonNode v =
          producer == null
              ? null
              : producer.outputParams.get(
                  p.path("taskOutputParameter").path("outputParameterKey").asText());
      return v == null ? null : Values.text(v).strip();
    }
    return entry.hasNonNull("secretName") ? entry.get("secretName").asText() : null;
  }

  private Duration timeout(TaskExec t) {
    Long seconds = engine.activeDeadlineSeconds(doc, t.component.executorLabel());
    return seconds == null ? null : Duration.ofSeconds(seconds);
  }

  private ResourceRequest resources(ResourceSpec r, PlaceholderScope scope) {
    if (r == null) {
      return ResourceRequest.NONE;
    }
    String cpu = first(r.resourceCpuRequest(), r.resourceCpuLimit());
    String mem = first(r.resourceMemoryRequest(), r.resourceMemoryLimit());
    if (cpu == null && (r.cpuRequest() != null || r.cpuLimit() != null)) {
      cpu = String.valueOf(r.cpuRequest() != null ? r.cpuRequest() : r.cpuLimit());
    }
    if (mem == null && (r.memoryRequest() != null || r.memoryLimit() != null)) {
      double gb = r.memoryRequest() != null ? r.memoryRequest() : r.memoryLimit();
      mem = String.valueOf((long) (gb * 1e9));
    }
    try {
      return ResourceRequest.of(
          cpu == null ? null : Placeholders.expand(cpu, scope),
          mem == null ? null : Placeholders.expand(mem, scope));
    } catch (IllegalArgumentException e) {
      throw new TaskFailure("resources: " + e.getMessage());
    }
  }

  private static String first(String a, String b) {
    return hasText(a) ? a : hasText(b) ? b : null;
  }

  private static String expandEnv(String value, Map<String, String> earlier) {
    if (value.indexOf('$') < 0) {
      return value;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '$' && i + 1 < value.length() && value.charAt(i + 1) == '$') {
        sb.append('$');
        i++;
      } else if (c == '$' && i + 1 < value.length() && value.charAt(i + 1) == '(') {
        int end = value.indexOf(')', i);
        String name = end < 0 ? null : value.substring(i + 2, end);
        if (name != null && earlier.containsKey(name)) {
          sb.append(earlier.get(name));
          i = end;
        } else {
          sb.append(c);
        }
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private ObjectNode executorInput(
      TaskExec t,
      Map<String, ArtifactRef> outArtifacts,
      Map<String, String> outParamFiles,
      String outputFile) {
    ObjectNode root = Json.json().createObjectNode();
    ObjectNode inputs = root.putObject("inputs");
    ObjectNode pv = inputs.putObject("parameterValues");
    t.inputParams.forEach(pv::set);
    ObjectNode ia = inputs.putObject("artifacts");
    t.inputArtifacts.forEach(
        (name, refs) -> {
          ArrayNode list = ia.putObject(name).putArray("artifacts");
          for (ArtifactRef r : refs) {
            list.add(runtimeArtifact(r, r.id()));
          }
        });
    ObjectNode outputs = root.putObject("outputs");
    ObjectNode op = outputs.putObject("parameters");
    outParamFiles.forEach((name, file) -> op.putObject(name).put("outputFile", file));
    ObjectNode oa = outputs.putObject("artifacts");
    outArtifacts.forEach(
        (name, r) -> oa.putObject(name).putArray("artifacts").add(runtimeArtifact(r, name)));
    outputs.put("outputFile", outputFile);
    return root;
  }

  private static ObjectNode runtimeArtifact(ArtifactRef r, String name) {
    ObjectNode a = Json.json().createObjectNode();
    a.put("name", name);
    ObjectNode type = a.putObject("type");
    type.put("schemaTitle", r.schemaTitle());
    type.put("schemaVersion", r.schemaVersion());
    a.put("uri", LocalPaths.forProgram(r.uri()));
    a.set(
        "metadata",
        r.metadata() == null ? Json.json().createObjectNode() : r.metadata().deepCopy());
    return a;
  }

  private void workloadEnded(
      TaskExec t,
      Workload w,
      Map<String, ArtifactRef> outArtifacts,
      Map<String, String> outParamFiles,
      String outputFile,
      WorkloadStatus status) {
    if (finished || t.workload != w) {
      return;
    }
    t.workload = null;
    if (status.pid() != null) {
      t.pid = status.pid();
      t.pidStartedAt = status.pidStartedAt();
      t.workloadId = w.id();
    }
    if (canceling) {
      complete(t, TaskState.CANCELED, "canceled");
      return;
    }
    if (status.phase() == Phase.SUCCEEDED) {
      try {
        collectOutputs(t, outArtifacts, outParamFiles, outputFile);
        succeed(t, List.copyOf(outArtifacts.values()));
      } catch (TaskFailure e) {
        retryOrFail(t, e.getMessage());
      }
      return;
    }
    String why = status.message() != null ? status.message() : status.reason();
    String tail = lastLogLine(t.logPath);
    if (tail != null && (why == null || !why.contains(tail))) {
      why = (why == null ? "failed" : why) + ": " + tail;
    }
    retryOrFail(t, why == null ? "failed" : why);
  }

  /** The last line a failed process wrote, which usually says why (e.g. a missing program). */
  private static String lastLogLine(String logPath) {
    if (logPath == null) {
      return null;
    }
    try (var raf = new java.io.RandomAccessFile(logPath, "r")) {
      long len = raf.length();
      int n = (int) Math.min(len, 4096);
      byte[] buf = new byte[n];
      raf.seek(len - n);
      raf.readFully(buf);
      String[] lines = new String(buf, java.nio.charset.StandardCharsets.UTF_8).split("\\R");
      for (int i = lines.length - 1; i >= 0; i--) {
        String line = lines[i].strip();
        if (!line.isEmpty() && !line.startsWith("[keel]")) {
          return line.length() > 300 ? line.substring(0, 300) + "…" : line;
        }
      }
    } catch (IOException e) {
      return null;
    }
    return null;
  }

  private void retryOrFail(TaskExec t, String error) {
    RetryPolicy retry = t.spec.retryPolicy();
    int max = retry == null || retry.maxRetryCount() == null ? 0 : retry.maxRetryCount();
    if (t.attempt <= max && !stopping) {
      Duration delay = backoff(retry, t.attempt);
      t.error = error;
      engine.store().tasks().update(t.toRecord(run.id()));
      engine.event(
          run.id(),
          "Normal",
          "task "
              + t.path
              + " failed ("
              + error
              + "); retry "
              + t.attempt
              + " of "
              + max
              + " in "
              + delay.toMillis()
              + " ms");
      engine.schedule(
          this,
          () -> {
            if (finished || canceling) {
              if (!finished) {
                complete(t, TaskState.CANCELED, "canceled");
              }
              return;
            }
            try {
              ExecutorSpec exec = engine.executor(doc, t.component.executorLabel());
              runContainer(t, exec.container());
            } catch (TaskFailure | Placeholders.PlaceholderException e) {
              complete(t, TaskState.FAILED, e.getMessage());
            }
          },
          delay);
      return;
    }
    complete(t, TaskState.FAILED, error);
  }

  static Duration backoff(RetryPolicy retry, int attempt) {
    if (retry == null) {
      return Duration.ZERO;
    }
    Duration base = Durations.parse(retry.backoffDuration(), Duration.ZERO);
    double factor = retry.backoffFactor() == null ? 2.0 : retry.backoffFactor();
    Duration max = Durations.parse(retry.backoffMaxDuration(), Duration.ofHours(1));
    double millis = base.toMillis() * Math.pow(factor, Math.max(0, attempt - 1));
    return Duration.ofMillis((long) Math.min(millis, max.toMillis()));
  }

  private void collectOutputs(
      TaskExec t,
      Map<String, ArtifactRef> outArtifacts,
      Map<String, String> outParamFiles,
      String outputFile) {
    JsonNode executorOutput = null;
    try {
      // most programs write none: a stat is far cheaper than the exception of a failed open
      Path file = Path.of(outputFile);
      String text = Files.isRegularFile(file) ? Files.readString(file) : "";
      if (!text.isBlank()) {
        executorOutput = Json.parse(text);
      }
    } catch (NoSuchFileException e) {
      // no executor output: outputs come from the parameter files
    } catch (IOException | RuntimeException e) {
      throw new TaskFailure("cannot read executor output " + outputFile + ": " + e.getMessage());
    }
    var outs = t.component.outputDefinitions();
    Map<String, OutputParameterSpec> paramDefs = outs == null ? Map.of() : outs.parameters();
    for (Map.Entry<String, OutputParameterSpec> e : paramDefs.entrySet()) {
      String name = e.getKey();
      JsonNode v = executorOutput == null ? null : executorOutput.path("parameterValues").get(name);
      if (v == null) {
        Path file = Path.of(outParamFiles.get(name));
        try {
          v = Values.parse(e.getValue().parameterType(), Files.readString(file));
        } catch (NoSuchFileException x) {
          throw new TaskFailure("output parameter '" + name + "' was not written to " + file);
        } catch (IOException x) {
          throw new TaskFailure("cannot read output parameter '" + name + "': " + x.getMessage());
        } catch (IllegalArgumentException x) {
          throw new TaskFailure("output parameter '" + name + "': " + x.getMessage());
        }
      }
      t.outputParams.put(name, Values.normalise(e.getValue().parameterType(), v));
    }
    for (Map.Entry<String, ArtifactRef> e : outArtifacts.entrySet()) {
      ArtifactRef r = e.getValue();
      String uri = r.uri();
      ObjectNode metadata = r.metadata().deepCopy();
      JsonNode produced =
          executorOutput == null
              ? null
              : executorOutput.path("artifacts").path(e.getKey()).path("artifacts").path(0);
      if (produced != null && produced.isObject()) {
        if (produced.hasNonNull("uri") && !produced.get("uri").asText().isEmpty()) {
          uri = LocalPaths.fromProgram(produced.get("uri").asText());
        }
        if (produced.get("metadata") instanceof ObjectNode md) {
          metadata.setAll(md);
        }
      }
      ArtifactRef merged =
          new ArtifactRef(r.id(), r.name(), uri, r.schemaTitle(), r.schemaVersion(), metadata);
      e.setValue(merged);
      t.outputArtifacts.put(e.getKey(), List.of(merged));
    }
  }

  private void succeed(TaskExec t, List<ArtifactRef> created) {
    Instant now = engine.now();
    t.state = TaskState.SUCCEEDED;
    t.finishedAt = now;
    t.error = null;
    TaskRecord rec = t.toRecord(run.id());
    engine
        .store()
        .inTransaction(
            tx -> {
              for (ArtifactRef a : created) {
                tx.artifacts()
                    .insert(
                        new ArtifactRecord(
                            a.id(),
                            run.id(),
                            t.id,
                            a.name(),
                            a.uri(),
                            a.schemaTitle(),
                            a.metadata().isEmpty() ? "{}" : Json.write(a.metadata()),
                            now));
                tx.events()
                    .insert(new EventRecord(Ids.newId(), t.id, a.id(), "OUTPUT", a.name(), now));
              }
              for (Map.Entry<String, List<ArtifactRef>> in : t.inputArtifacts.entrySet()) {
                for (ArtifactRef a : in.getValue()) {
                  tx.events()
                      .insert(
                          new EventRecord(Ids.newId(), t.id, a.id(), "INPUT", in.getKey(), now));
                }
              }
              tx.tasks().update(rec);
              return null;
            });
    engine.listener().taskChanged(run, rec);
    taskEnded(t);
  }

  /** Ends a task in a state other than a fresh success (cached, failed, canceled, a DAG). */
  private void complete(TaskExec t, TaskState state, String error) {
    t.finishedAt = engine.now();
    t.error = error;
    if (state == TaskState.CACHED) {
      t.state = state;
      TaskRecord rec = t.toRecord(run.id());
      engine
          .store()
          .inTransaction(
              tx -> {
                if (!t.recorded) {
                  t.id = tx.tasks().insertIfAbsent(withId(t)).id();
                  t.recorded = true;
                } else {
                  tx.tasks().update(rec);
                }
                Instant now = t.finishedAt;
                for (List<ArtifactRef> refs : t.outputArtifacts.values()) {
                  for (ArtifactRef a : refs) {
                    tx.events()
                        .insert(
                            new EventRecord(Ids.newId(), t.id, a.id(), "OUTPUT", a.name(), now));
                  }
                }
                return null;
              });
      engine.listener().taskChanged(run, t.toRecord(run.id()));
    } else {
      record(t, state);
    }
    taskEnded(t);
  }

  private TaskRecord withId(TaskExec t) {
    if (t.id == null) {
      t.id = Ids.newId();
    }
    if (t.createdAt == null) {
      t.createdAt = engine.now();
    }
    return t.toRecord(run.id());
  }

  /** Commits the task in {@code state} (inserting it the first time). */
  private void record(TaskExec t, TaskState state) {
    t.state = state;
    TaskRecord rec;
    if (!t.recorded) {
      rec = withId(t);
      TaskRecord stored = engine.store().tasks().insertIfAbsent(rec);
      t.recorded = true;
      if (!stored.id().equals(rec.id())) {
        t.id = stored.id();
        rec = t.toRecord(run.id());
        engine.store().tasks().update(rec);
      }
    } else {
      rec = t.toRecord(run.id());
      engine.store().tasks().update(rec);
    }
    engine.listener().taskChanged(run, rec);
  }

  // ---------------------------------------------------------------- helpers

  private static boolean hasText(String s) {
    return s != null && !s.isBlank();
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (var walk = Files.walk(p)) {
      for (Path x : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(x);
      }
    }
  }

  /**
   * Kills processes a dead Keel left running for this run: every process launched for a task
   * carries {@code KEEL_RUN_ID} in its environment, and so do its children.
   */
  void killStale() {
    boolean wasRunning =
        stored.values().stream().anyMatch(r -> TaskState.RUNNING.name().equals(r.state()));
    if (wasRunning) {
      int killed = LocalRuntime.killTagged("KEEL_RUN_ID", run.id());
      if (killed > 0) {
        engine.event(run.id(), "Warning", "killed " + killed + " leftover process(es) of this run");
      }
    }
  }

  /** A task-level failure with a message for the user. */
  static final class TaskFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TaskFailure(String message) {
      super(message, null, false, false);
    }
  }

  /** Resolves placeholders of one task. */
  private final class PlaceholderScope implements Placeholders.Scope {
    private final TaskExec t;
    private final Map<String, ArtifactRef> outArtifacts;
    private final Map<String, String> outParamFiles;
    private final String outputFile;
    String executorInput;
    java.util.function.Supplier<JsonNode> executorInputSource;

    PlaceholderScope(
        TaskExec t,
        Map<String, ArtifactRef> outArtifacts,
        Map<String, String> outParamFiles,
        String outputFile,
        String executorInput) {
      this.t = t;
      this.outArtifacts = outArtifacts;
      this.outParamFiles = outParamFiles;
      this.outputFile = outputFile;
      this.executorInput = executorInput;
    }

    @Override
    public Map<String, JsonNode> parameters() {
      return t.inputParams;
    }

    @Override
    public Map<String, List<ArtifactRef>> inputArtifacts() {
      return t.inputArtifacts;
    }

    @Override
    public Map<String, ArtifactRef> outputArtifacts() {
      return outArtifacts;
    }

    @Override
    public Map<String, String> outputParameterFiles() {
      return outParamFiles;
    }

    @Override
    public String outputFile() {
      return outputFile;
    }

    @Override
    public String executorInput() {
      if (executorInput == null && executorInputSource != null) {
        executorInput = Json.write(executorInputSource.get());
      }
      return executorInput == null ? "{}" : executorInput;
    }

    @Override
    public String runtime(String name) {
      return runtimeValue(name, t);
    }

    @Override
    public boolean isArtifactList(String name) {
      var defs = t.component.inputDefinitions();
      var a = defs == null ? null : defs.artifacts().get(name);
      return a != null && Boolean.TRUE.equals(a.isArtifactList());
    }
  }
}
