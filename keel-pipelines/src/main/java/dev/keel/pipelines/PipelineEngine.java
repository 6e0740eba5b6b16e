package dev.keel.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.Ids;
import dev.keel.core.Json;
import dev.keel.core.Owners;
import dev.keel.core.Problem;
import dev.keel.core.ValidationException;
import dev.keel.pipelines.spec.ExecutorSpec;
import dev.keel.pipelines.spec.KubernetesExecutorConfig;
import dev.keel.pipelines.spec.PipelineDocument;
import dev.keel.pipelines.spec.PipelineSpecReader;
import dev.keel.pipelines.spec.PipelineSpecWriter;
import dev.keel.pipelines.spec.PipelineValidator;
import dev.keel.runtime.WorkloadRuntime;
import dev.keel.store.RunEventRecord;
import dev.keel.store.RunRecord;
import dev.keel.store.Store;
import dev.keel.store.TaskRecord;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs KFP pipelines: submits runs, walks their DAGs through a {@link WorkloadRuntime}, and
 * resumes, terminates and retries them.
 *
 * <p>One engine thread drives every run this engine owns, so run state needs no locks. It works in
 * batches: what was posted to it meanwhile (tasks that ended, tasks ready to start) runs as one
 * commit, and only then does the engine act on it (start processes, tell listeners and waiters). A
 * run is owned through a lease in the store: a crashed process's runs are taken over by {@link
 * #resume(String)} once its lease has expired or its process is known to be dead.
 */
public final class PipelineEngine implements AutoCloseable {
  private final Store store;
  private final WorkloadRuntime runtime;
  private final Path dataDir;
  private final String owner;
  private final Clock clock;
  private final Duration leaseTtl;
  private final EngineListener listener;
  private final boolean cacheEnabled;
  private final long logLimitBytes;
  private final Thread loop;
  private final BlockingQueue<Posted> inbox = new LinkedBlockingQueue<>();
  private volatile boolean closed;

  /** What the engine thread does once the batch it is running has committed; engine thread only. */
  private final ArrayDeque<Runnable> afterCommit = new ArrayDeque<>();

  private boolean inBatch; // engine thread only
  private boolean urgent; // engine thread only: an action waits for the running batch's commit
  private final ScheduledExecutorService timers;
  private final Map<String, RunExecution> active = new ConcurrentHashMap<>();

  private PipelineEngine(Builder b) {
    this.store = b.store;
    this.runtime = b.runtime;
    this.dataDir = b.dataDir.toAbsolutePath().normalize();
    this.owner = b.owner != null ? b.owner : defaultOwner();
    this.clock = b.clock;
    this.leaseTtl = b.leaseTtl;
    this.listener = new DeferredListener(b.listener);
    this.cacheEnabled = b.cacheEnabled;
    this.logLimitBytes = b.logLimitBytes;
    this.loop = new Thread(this::loop, "keel-engine");
    loop.setDaemon(true);
    loop.start();
    this.timers =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "keel-engine-timers");
              t.setDaemon(true);
              return t;
            });
    long beat = Math.max(200, leaseTtl.toMillis() / 3);
    timers.scheduleWithFixedDelay(this::heartbeat, beat, beat, TimeUnit.MILLISECONDS);
  }

  /** An engine over {@code store} launching work on {@code runtime}. */
  public static Builder builder(Store store, WorkloadRuntime runtime) {
    return new Builder(store, runtime);
  }

  /** This engine's owner id, as written into run leases. */
  public String owner() {
    return owner;
  }

  /**
   * Records a new run and starts it.
   *
   * @return the run's id
   * @throws ValidationException when a parameter is unknown, missing or of the wrong type
   */
  public String submit(RunRequest request) {
    PipelineDocument doc = request.pipeline();
    checkParameters(doc, request.parameters());
    Instant now = now();
    String experimentId =
        request.experimentId() != null
            ? request.experimentId()
            : store.experiments().getOrCreateDefault(request.namespace(), now).id();
    String name = doc.name();
    String displayName =
        request.displayName() != null
            ? request.displayName()
            : name
                + " "
                + DateTimeFormatter.ofPattern("yyyy-MM-dd HH-mm-ss")
                    .withZone(ZoneOffset.UTC)
                    .format(now);
    ObjectNode runtimeConfig = Json.json().createObjectNode();
    ObjectNode params = runtimeConfig.putObject("parameters");
    request.parameters().forEach(params::set);
    RunRecord run =
        new RunRecord(
            request.runId() != null ? request.runId() : Ids.newId(),
            request.namespace(),
            experimentId,
            request.pipelineVersionId(),
            displayName,
            doc.spec().pipelineInfo() == null ? null : doc.spec().pipelineInfo().description(),
            name,
            Json.write(PipelineSpecWriter.toTree(doc.spec())),
            doc.platform() == null ? null : Json.write(PipelineSpecWriter.toTree(doc.platform())),
            Json.write(runtimeConfig),
            RunState.PENDING.name(),
            null,
            "AVAILABLE",
            now,
            request.scheduledAt() != null ? request.scheduledAt() : now,
            null,
            request.recurringRunId(),
            null,
            "[]");
    store.runs().insert(run);
    if (!store.runs().acquireLease(run.id(), owner, now, leaseTtl)) {
      throw new IllegalStateException("could not take the lease of a new run " + run.id());
    }
    start(run, doc, List.of());
    return run.id();
  }

  /** Completes when the run, owned by this engine, ends; already complete if it is not active. */
  public CompletableFuture<RunRecord> completion(String runId) {
    RunExecution exec = active.get(runId);
    if (exec != null) {
      return exec.done;
    }
    return CompletableFuture.completedFuture(store.runs().get(runId).orElse(null));
  }

  /** Waits for a run this engine drives to end, and returns its final record. */
  public RunRecord await(String runId) throws InterruptedException {
    try {
      return completion(runId).get();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  /**
   * Takes over an unfinished run whose owner is gone and carries it to the end: tasks that had
   * finished keep their outputs, a task that was running is run again.
   *
   * @return whether this engine now drives the run
   */
  public boolean resume(String runId) {
    if (active.containsKey(runId)) {
      return true;
    }
    RunRecord run = store.runs().get(runId).orElse(null);
    if (run == null || RunState.valueOf(run.state()).isTerminal()) {
      return false;
    }
    Instant now = now();
    Optional<String> holder = store.runs().leaseOwner(runId, now);
    if (holder.isPresent() && !holder.get().equals(owner) && isDeadLocalOwner(holder.get())) {
      store.runs().releaseLease(runId, holder.get());
    }
    if (!store.runs().acquireLease(runId, owner, now, leaseTtl)) {
      return false;
    }
    List<TaskRecord> tasks = store.tasks().listByRun(runId);
    PipelineDocument doc = PipelineSpecReader.fromTree(pipelineTree(run));
    event(runId, "Normal", "resuming run " + runId + " (its previous owner is gone)");
    start(run, doc, tasks);
    return true;
  }

  /** Resumes every unfinished run that no live process owns; returns the ids taken over. */
  public List<String> resumeAll() {
    List<String> taken = new ArrayList<>();
    for (RunRecord r : store.runs().listUnfinished()) {
      if (resume(r.id())) {
        taken.add(r.id());
      }
    }
    return taken;
  }

  /**
   * Terminates a run: its processes are killed and it ends CANCELED. A run owned by another process
   * is marked CANCELING in the store; its owner sees that within a heartbeat.
   */
  public void terminate(String runId) {
    RunExecution exec = active.get(runId);
    if (exec != null) {
      post(exec, exec::cancel);
      return;
    }
    RunRecord run =
        store
            .runs()
            .get(runId)
            .orElseThrow(() -> new ValidationException(new Problem("run_id", "no run " + runId)));
    RunState state = RunState.valueOf(run.state());
    if (state.isTerminal()) {
      throw new ValidationException(
          new Problem("run_id", "run " + runId + " has already ended (" + state + ")"));
    }
    Instant now = now();
    Optional<String> holder = store.runs().leaseOwner(runId, now);
    if (holder.isEmpty() || isDeadLocalOwner(holder.get())) {
      store.runs().updateState(runId, RunState.CANCELED.name(), null, now, now);
      for (TaskRecord t : store.tasks().listByRun(runId)) {
        if (!TaskState.valueOf(t.state()).isTerminal()) {
          store.tasks().update(withState(t, TaskState.CANCELED, now));
        }
      }
    } else {
      store.runs().updateState(runId, RunState.CANCELING.name(), null, now, null);
    }
  }

  /**
   * Retries a FAILED or CANCELED run: failed, canceled and never-run tasks run again; tasks that
   * succeeded keep their outputs.
   *
   * @throws ValidationException when the run is not FAILED or CANCELED
   */
  public void retry(String runId) {
    RunRecord run =
        store
            .runs()
            .get(runId)
            .orElseThrow(() -> new ValidationException(new Problem("run_id", "no run " + runId)));
    RunState state = RunState.valueOf(run.state());
    if (state != RunState.FAILED && state != RunState.CANCELED) {
      throw new ValidationException(
          new Problem(
              "run_id",
              "only FAILED or CANCELED runs can be retried; run " + runId + " is " + state));
    }
    Instant now = now();
    if (!store.runs().acquireLease(runId, owner, now, leaseTtl)) {
      throw new ValidationException(
          new Problem("run_id", "run " + runId + " is owned by another process"));
    }
    List<TaskRecord> kept = new ArrayList<>();
    for (TaskRecord t : store.tasks().listByRun(runId)) {
      TaskState ts = TaskState.valueOf(t.state());
      if (ts == TaskState.FAILED || ts == TaskState.CANCELED || ts == TaskState.RUNNING) {
        TaskRecord reset = withState(t, TaskState.PENDING, null);
        store.tasks().update(reset);
        kept.add(reset);
      } else {
        kept.add(t);
      }
    }
    store.runs().updateState(runId, RunState.RUNNING.name(), null, now, null);
    run = store.runs().get(runId).orElseThrow();
    event(runId, "Normal", "retrying run " + runId + ": failed and not-run tasks run again");
    start(run, PipelineSpecReader.fromTree(pipelineTree(run)), kept);
  }

  /** The pipeline stored with a run, as a tree {@link PipelineSpecReader#fromTree} reads. */
  public static JsonNode pipelineTree(RunRecord run) {
    ObjectNode tree = Json.json().createObjectNode();
    tree.set("pipeline_spec", Json.parse(run.pipelineSpec()));
    if (run.platformSpec() != null) {
      tree.set("platform_spec", Json.parse(run.platformSpec()));
    }
    return tree;
  }

  @Override
  public void close() {
    timers.shutdownNow();
    closed = true;
    loop.interrupt();
    for (RunExecution e : active.values()) {
      store.runs().releaseLease(e.runId(), owner);
    }
  }

  // ---------------------------------------------------------------- internals

  private void start(RunRecord run, PipelineDocument doc, List<TaskRecord> tasks) {
    RunExecution exec = new RunExecution(this, run, doc, tasks);
    active.put(run.id(), exec);
    post(
        exec,
        () -> {
          exec.killStale();
          exec.start();
        });
  }

  private static TaskRecord withState(TaskRecord t, TaskState state, Instant finishedAt) {
    return new TaskRecord(
        t.id(),
        t.runId(),
        t.parentTaskId(),
        t.path(),
        t.name(),
        t.displayName(),
        t.componentName(),
        state.name(),
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
        finishedAt);
  }

  private static void checkParameters(PipelineDocument doc, Map<String, JsonNode> given) {
    List<Problem> problems = PipelineValidator.checkRunParameters(doc, given);
    if (!problems.isEmpty()) {
      throw new ValidationException(problems);
    }
  }

  private void heartbeat() {
    Instant now = now();
    for (RunExecution exec : active.values()) {
      try {
        store.runs().renewLease(exec.runId(), owner, now, leaseTtl);
        if (!exec.canceling) {
          store
              .runs()
              .get(exec.runId())
              .filter(r -> RunState.CANCELING.name().equals(r.state()))
              .ifPresent(r -> post(exec, exec::cancel));
        }
      } catch (RuntimeException e) {
        listener.note(exec.runId(), "lease heartbeat failed: " + e.getMessage());
      }
    }
  }

  private static String defaultOwner() {
    return Owners.current();
  }

  /** Whether an owner id names a process on this host that no longer exists. */
  private static boolean isDeadLocalOwner(String owner) {
    return Owners.isDeadLocal(owner);
  }

  void finished(RunExecution exec) {
    active.remove(exec.runId());
    store.runs().releaseLease(exec.runId(), owner);
  }

  /**
   * Runs {@code r} for a run on the engine thread. A bug that escapes it ends that run FAILED with
   * the error, rather than leaving it hanging.
   */
  void post(RunExecution exec, Runnable r) {
    if (!closed) {
      inbox.add(new Posted(exec, r));
    }
  }

  /** Work posted to the engine thread for a run. */
  private record Posted(RunExecution exec, Runnable work) {}

  /**
   * Has the engine thread do {@code action} once what it has written so far is committed: how the
   * engine acts (starts a process, wakes a waiter) only on state the store holds. The batch then
   * ends soon ({@link #BATCH_NANOS}). Runs it at once outside a batch.
   */
  void afterCommit(Runnable action) {
    defer(action, true);
  }

  /**
   * Like {@link #afterCommit} for telling listeners, which nothing waits on: a batch that has only
   * news to tell waits a little ({@link #LINGER_NANOS}) for more work to share its commit.
   */
  private void tellAfterCommit(Runnable news) {
    defer(news, false);
  }

  private void defer(Runnable action, boolean awaited) {
    if (inBatch && Thread.currentThread() == loop) {
      afterCommit.add(action);
      urgent |= awaited;
    } else {
      action.run();
    }
  }

  /** The most posted items one commit takes: other threads wait for the store meanwhile. */
  private static final int BATCH = 64;

  /**
   * How long a batch goes on taking posted items once an action waits for its commit: a process it
   * starts waits for the commit, so a ready task never waits long behind the ones posted after it.
   */
  private static final long BATCH_NANOS = 1_000_000;

  /**
   * How long a batch whose changes nothing waits on yet (a task ended, no task to start) waits for
   * more posted work to share its commit: tasks ending one after the other on a busy machine then
   * cost one commit for several, and only listeners hear of them up to this much later.
   */
  private static final long LINGER_NANOS = 2_000_000;

  /**
   * The engine thread: runs what was posted in batches, each one commit ({@link Store#batch}) of
   * the items posted meanwhile (up to {@link #BATCH}, for up to {@link #BATCH_NANOS} once an action
   * waits on the commit, else for up to {@link #LINGER_NANOS}), then what the batch deferred to
   * {@link #afterCommit}.
   */
  private void loop() {
    List<Posted> batch = new ArrayList<>();
    while (!closed) {
      try {
        batch.add(inbox.take());
      } catch (InterruptedException e) {
        return;
      }
      runBatch(batch);
      batch.clear();
    }
  }

  /** Runs {@code batch}'s first item and whatever else is posted meanwhile, within the bounds. */
  private void runBatch(List<Posted> batch) {
    inBatch = true;
    urgent = false;
    try {
      store.batch(() -> fill(batch));
    } catch (RuntimeException e) {
      // the commit failed: nothing of the batch is stored, so nothing of it may be acted on
      afterCommit.clear();
      inBatch = false;
      for (Posted p : batch) {
        crash(p.exec(), e);
      }
      return;
    } finally {
      inBatch = false;
    }
    for (Runnable action = afterCommit.poll(); action != null; action = afterCommit.poll()) {
      try {
        action.run();
      } catch (RuntimeException | Error e) {
        listener.note(null, "internal error after a commit: " + e);
      }
    }
  }

  private void fill(List<Posted> batch) {
    long start = System.nanoTime();
    runGuarded(batch.get(0));
    while (batch.size() < BATCH) {
      long left = start + (urgent ? BATCH_NANOS : LINGER_NANOS) - System.nanoTime();
      Posted next;
      try {
        next = left <= 0 ? null : urgent ? inbox.poll() : inbox.poll(left, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // closing: commit what ran
        return;
      }
      if (next == null) {
        return;
      }
      batch.add(next);
      runGuarded(next);
    }
  }

  private void runGuarded(Posted p) {
    try {
      p.work().run();
    } catch (RuntimeException | Error e) {
      crash(p.exec(), e);
    }
  }

  private void crash(RunExecution exec, Throwable e) {
    if (System.getenv("KEEL_DEBUG") != null) {
      e.printStackTrace();
    }
    try {
      exec.crash(e);
    } catch (RuntimeException again) {
      listener.note(exec.runId(), "could not record the failure: " + again);
    }
  }

  /** Tells the listener what happened once it is committed: see {@link #afterCommit}. */
  private final class DeferredListener implements EngineListener {
    private final EngineListener to;

    DeferredListener(EngineListener to) {
      this.to = to;
    }

    @Override
    public void taskChanged(RunRecord run, TaskRecord task) {
      tellAfterCommit(() -> to.taskChanged(run, task));
    }

    @Override
    public void runChanged(RunRecord run) {
      tellAfterCommit(() -> to.runChanged(run));
    }

    @Override
    public void note(String runId, String message) {
      tellAfterCommit(() -> to.note(runId, message));
    }
  }

  void schedule(RunExecution exec, Runnable r, Duration delay) {
    timers.schedule(() -> post(exec, r), delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Records what the engine did to a run (type {@code Normal} or {@code Warning}) in the run's
   * events and tells the listener. Recording is best effort: a store error does not stop a run.
   */
  void event(String runId, String type, String message) {
    try {
      store.runEvents().insert(new RunEventRecord(Ids.newId(), runId, now(), type, message));
    } catch (RuntimeException e) {
      listener.note(runId, "could not record an event: " + e.getMessage());
    }
    listener.note(runId, message);
  }

  Store store() {
    return store;
  }

  WorkloadRuntime runtime() {
    return runtime;
  }

  EngineListener listener() {
    return listener;
  }

  boolean cacheEnabled() {
    return cacheEnabled;
  }

  long logLimitBytes() {
    return logLimitBytes;
  }

  Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  private volatile Path pythonRuntime;

  /** Keel's offline {@code kfp} package for Python components, written on first use. */
  Path pythonRuntime() {
    Path p = pythonRuntime;
    if (p == null) {
      synchronized (this) {
        if (pythonRuntime == null) {
          pythonRuntime =
              PythonComponents.install(dataDir.resolve("python").resolve("kfp-runtime"));
        }
        p = pythonRuntime;
      }
    }
    return p;
  }

  Path artifactRoot() {
    return dataDir.resolve("artifacts");
  }

  /**
   * The folder under which a run's tasks write their output artifacts: {@code
   * <data>/artifacts/<namespace>/<pipeline>/<run id>}. What lies outside it is not the run's.
   */
  public Path artifactDir(RunRecord run) {
    return artifactRoot()
        .resolve(run.namespace())
        .resolve(safeName(run.pipelineName()))
        .resolve(run.id());
  }

  /** A pipeline's name as a folder name. */
  static String safeName(String name) {
    return name == null || name.isBlank() ? "pipeline" : name.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  /** Where volumes made by kfp-kubernetes' CreatePVC live, one folder per namespace. */
  Path volumeRoot() {
    return dataDir.resolve("volumes");
  }

  Path runDir(String runId) {
    return dataDir.resolve("runs").resolve(runId);
  }

  ExecutorSpec executor(PipelineDocument doc, String label) {
    if (label == null || doc.spec().deploymentSpec() == null) {
      return null;
    }
    return doc.spec().deploymentSpec().executors().get(label);
  }

  Long activeDeadlineSeconds(PipelineDocument doc, String label) {
    KubernetesExecutorConfig cfg = kubernetesConfig(doc, label);
    return cfg == null ? null : cfg.activeDeadlineSeconds();
  }

  /** The kfp-kubernetes settings of an executor, or {@code null}. */
  KubernetesExecutorConfig kubernetesConfig(PipelineDocument doc, String label) {
    if (label == null
        || doc.platform() == null
        || doc.platform().platforms() == null
        || doc.platform().platforms().kubernetes() == null
        || doc.platform().platforms().kubernetes().deploymentSpec() == null) {
      return null;
    }
    return doc.platform().platforms().kubernetes().deploymentSpec().executors().get(label);
  }

  /** Configures a {@link PipelineEngine}. */
  public static final class Builder {
    private final Store store;
    private final WorkloadRuntime runtime;
    private Path dataDir = Path.of(System.getProperty("user.home"), ".keel");
    private String owner;
    private Clock clock = Clock.systemUTC();
    private Duration leaseTtl = Duration.ofSeconds(15);
    private EngineListener listener = EngineListener.NONE;
    private boolean cacheEnabled = true;
    private long logLimitBytes = 10L << 20;

    private Builder(Store store, WorkloadRuntime runtime) {
      this.store = Objects.requireNonNull(store, "store");
      this.runtime = Objects.requireNonNull(runtime, "runtime");
    }

    /** Where run folders and artifacts live (default {@code ~/.keel}). */
    public Builder dataDir(Path dataDir) {
      this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
      return this;
    }

    /** The owner id written into leases (default {@code keel@<host>:<pid>}). */
    public Builder owner(String owner) {
      this.owner = owner;
      return this;
    }

    /** The clock for timestamps and leases. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** How long a lease lasts without a heartbeat (default 15 s). */
    public Builder leaseTtl(Duration ttl) {
      if (ttl.isNegative() || ttl.isZero()) {
        throw new IllegalArgumentException("lease TTL must be positive, was " + ttl);
      }
      this.leaseTtl = ttl;
      return this;
    }

    /** Who hears task and run changes. */
    public Builder listener(EngineListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Turns the cache off for every task, as KFP's server-wide switch does. */
    public Builder cacheEnabled(boolean enabled) {
      this.cacheEnabled = enabled;
      return this;
    }

    /** The size cap of each task's log file. */
    public Builder logLimitBytes(long bytes) {
      this.logLimitBytes = bytes;
      return this;
    }

    /** The engine; it starts its threads at once. */
    public PipelineEngine build() {
      return new PipelineEngine(this);
    }
  }
}
