package dev.keel.katib;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.Ids;
import dev.keel.core.Json;
import dev.keel.core.Owners;
import dev.keel.pipelines.PipelineEngine;
import dev.keel.runtime.Phase;
import dev.keel.runtime.ResourceRequest;
import dev.keel.runtime.Workload;
import dev.keel.runtime.WorkloadRuntime;
import dev.keel.runtime.WorkloadSpec;
import dev.keel.runtime.WorkloadStatus;
import dev.keel.store.ConflictException;
import dev.keel.store.ObservationRecord;
import dev.keel.store.ResourceRecord;
import dev.keel.store.Store;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Runs a Katib Experiment on this machine: asks the search for assignments, runs up to {@code
 * parallelTrialCount} trials at once through the runtime (a batch Job's primary container as a
 * process), reads each trial's metrics from its output, and ends the experiment as Katib does —
 * goal reached, too many failed trials, {@code maxTrialCount} trials run, or (unlike Katib, #1494)
 * a search with nothing left to suggest. The Experiment and its Trials are stored as resources, in
 * Katib's shape, after every change.
 */
public final class ExperimentController {
  /** What the controller tells whoever watches (the CLI prints it). */
  public interface Progress {
    default void trialStarted(String trial, Map<String, String> assignments) {}

    default void trialEnded(String trial, String condition, String objective, String best) {}

    default void note(String message) {}
  }

  private static final String API = "kubeflow.org/v1beta1";

  /** The annotation naming the process that drives an experiment. */
  public static final String OWNER = "keel.dev/controller";

  private final Store store;
  private final WorkloadRuntime runtime;
  private final Path workDir;
  private final Clock clock;
  private final Progress progress;

  private PipelineEngine pipelines; // runs trials that are pipeline runs, when given

  /** The Push collectors of the experiments running now, by experiment uid. */
  private final Map<String, PushCollector> pushes = new java.util.concurrent.ConcurrentHashMap<>();

  public ExperimentController(
      Store store, WorkloadRuntime runtime, Path workDir, Clock clock, Progress progress) {
    this.store = store;
    this.runtime = runtime;
    this.workDir = workDir;
    this.clock = clock;
    this.progress = progress == null ? new Progress() {} : progress;
  }

  /**
   * Lets trials be Keel pipeline runs ({@code pipelines.kubeflow.org/v2beta1 Run}) on {@code
   * engine}.
   */
  public ExperimentController pipelines(PipelineEngine engine) {
    this.pipelines = engine;
    return this;
  }

  /** A trial as the controller tracks it. */
  static final class Trial {
    final String name;
    final Map<String, String> assignments;
    String condition = "Created"; // Running, Succeeded, Failed, MetricsUnavailable, Killed
    String reason = "TrialCreated";
    String message = "";
    Workload workload;
    Instant startTime;
    Instant completionTime;
    List<Metrics.Summary> metrics = List.of();
    Double objective;
    long version = 1;
    boolean resumed;
    boolean earlyStopped;
    List<Metrics.Point> points = List.of();
    String uid;
    ObjectNode base; // the stored document without its status, once read
    String written; // the document last written
    String pushToken;
    PushCollector push;

    Trial(String name, Map<String, String> assignments) {
      this.name = name;
      this.assignments = assignments;
    }

    boolean active() {
      return condition.equals("Created") || condition.equals("Running");
    }
  }

  /** Runs the experiment to its end and returns its final document (with Katib's status). */
  public ObjectNode run(Experiment e) throws InterruptedException {
    Instant start = clock.instant();
    var existing = store.resources().get("Experiment", e.namespace(), e.name());
    if (existing.isPresent()) {
      return resume(e, existing.get());
    }
    String uid = Ids.newId();
    ObjectNode doc = e.document().deepCopy();
    ObjectNode meta = doc.with("metadata");
    meta.put("name", e.name());
    meta.put("namespace", e.namespace());
    meta.put("uid", uid);
    meta.put("creationTimestamp", start.toString());
    meta.with("annotations").put(OWNER, Owners.current());
    ObjectNode status = doc.putObject("status");
    status.put("startTime", start.toString());
    condition(status, "Created", "ExperimentCreated", "Experiment is created", start);
    try {
      store
          .resources()
          .create(
              new ResourceRecord(
                  "Experiment",
                  e.namespace(),
                  e.name(),
                  uid,
                  null,
                  0,
                  Json.write(doc),
                  start,
                  start));
    } catch (ConflictException c) {
      throw new ConflictException(
          "experiment "
              + e.namespace()
              + "/"
              + e.name()
              + " exists already; give the new one another metadata.name");
    }
    condition(status, "Running", "ExperimentRunning", "Experiment is running", start);
    return drive(e, uid, doc, status, new ArrayList<>(), 1);
  }

  /**
   * Carries on an experiment a stopped process left: trials that ended keep their results, trials
   * that were running are run again under the same names and assignments (their leftover processes
   * killed first), and no more trials are made than the experiment allows.
   */
  private ObjectNode resume(Experiment e, ResourceRecord stored) throws InterruptedException {
    ObjectNode doc = (ObjectNode) Json.parse(stored.document());
    ObjectNode status = (ObjectNode) doc.with("status");
    boolean restart = false;
    for (JsonNode c : status.path("conditions")) {
      String type = c.path("type").asText();
      if ((type.equals("Succeeded") || type.equals("Failed"))
          && c.path("status").asText().equals("True")) {
        restartable(e, doc, type, c.path("reason").asText());
        restart = true;
      }
    }
    ObjectNode storedSpec = (ObjectNode) doc.with("spec");
    for (String f : RESTART_FIELDS) {
      if (e.document().path("spec").has(f)) {
        storedSpec.set(f, e.document().path("spec").get(f).deepCopy());
      } else {
        storedSpec.remove(f);
      }
    }
    if (restart) {
      Instant now = clock.instant();
      status.remove("completionTime");
      for (JsonNode c : status.path("conditions")) {
        ((ObjectNode) c).put("status", "False");
      }
      condition(
          status,
          "Restarting",
          "ExperimentRestarting",
          "Experiment is restarting: maxTrialCount raised to " + e.maxTrialCount(),
          now);
      progress.note("restarting experiment " + e.name() + " for more trials");
    }
    String uid = doc.at("/metadata/uid").asText();
    // one process drives an experiment at a time: take it over only from one that has ended
    String owner = doc.at("/metadata/annotations").path(OWNER).asText("");
    if (!owner.isEmpty() && !owner.equals(Owners.current()) && !Owners.isDeadLocal(owner)) {
      throw new ConflictException(
          "experiment "
              + e.namespace()
              + "/"
              + e.name()
              + " is being run by "
              + owner
              + "; wait for it to end, or stop that process first");
    }
    ((ObjectNode) doc.with("metadata").with("annotations")).put(OWNER, Owners.current());
    int killed = dev.keel.runtime.LocalRuntime.killTagged("KEEL_EXPERIMENT", uid);
    List<Trial> trials = new ArrayList<>();
    for (ResourceRecord r : store.resources().owned(uid)) {
      if (!r.kind().equals("Trial")) {
        continue; // its Suggestion
      }
      JsonNode td = Json.parse(r.document());
      Map<String, String> a = new LinkedHashMap<>();
      td.at("/spec/parameterAssignments")
          .forEach(x -> a.put(x.path("name").asText(), x.path("value").asText()));
      Trial t = new Trial(r.name(), a);
      t.uid = r.uid();
      t.version = r.resourceVersion();
      JsonNode conds = td.path("status").path("conditions");
      JsonNode last = conds.size() == 0 ? null : conds.get(conds.size() - 1);
      String condition = last == null ? "Created" : last.path("type").asText();
      if (condition.equals("Succeeded")
          || condition.equals("EarlyStopped")
          || condition.equals("Failed")
          || condition.equals("MetricsUnavailable")
          || condition.equals("Killed")) {
        t.condition = condition;
        t.reason = last.path("reason").asText();
        t.message = last.path("message").asText();
        List<Metrics.Summary> ms = new ArrayList<>();
        td.at("/status/observation/metrics")
            .forEach(
                m ->
                    ms.add(
                        new Metrics.Summary(
                            m.path("name").asText(),
                            m.path("min").asText(),
                            m.path("max").asText(),
                            m.path("latest").asText())));
        t.metrics = ms;
        if ((condition.equals("Succeeded") || condition.equals("EarlyStopped")) && !ms.isEmpty()) {
          try {
            t.objective =
                Double.parseDouble(
                    Metrics.pick(
                        ms.get(0),
                        e.objective()
                            .strategies()
                            .getOrDefault(e.objective().metricName(), "latest")));
          } catch (NumberFormatException x) {
            t.objective = null;
          }
        }
      } else {
        t.condition = "Created"; // its process went with the Keel that ran it: run it again
        t.reason = "TrialCreated";
        t.resumed = true;
      }
      trials.add(t);
    }
    Instant now = clock.instant();
    long rerun = trials.stream().filter(t -> t.resumed).count();
    condition(
        status,
        "Running",
        "ExperimentRunning",
        "Experiment resumed after the process running it stopped: "
            + (trials.size() - rerun)
            + " trial(s) kept, "
            + rerun
            + " run again"
            + (killed > 0 ? ", " + killed + " leftover process(es) killed" : ""),
        now);
    progress.note(
        "resuming experiment "
            + e.name()
            + ": "
            + (trials.size() - rerun)
            + " trials kept, "
            + rerun
            + " to run again");
    return drive(e, uid, doc, status, trials, stored.resourceVersion());
  }

  /**
   * Whether the stored experiment {@code stored} may be applied again as {@code e}: it has not
   * ended, or it ended in a way Katib restarts; a {@link ConflictException} saying why not.
   */
  public static void checkApplyAgain(Experiment e, String stored) {
    ObjectNode doc = (ObjectNode) Json.parse(stored);
    for (JsonNode c : doc.at("/status/conditions")) {
      String type = c.path("type").asText();
      if ((type.equals("Succeeded") || type.equals("Failed"))
          && c.path("status").asText().equals("True")) {
        restartable(e, doc, type, c.path("reason").asText());
      }
    }
  }

  /** The fields a stored experiment's spec may change in, as Katib's webhook allows. */
  private static final List<String> RESTART_FIELDS =
      List.of("parallelTrialCount", "maxTrialCount", "maxFailedTrialCount");

  /**
   * Whether an ended experiment may carry on as {@code e} asks, as Katib restarts one: it reached
   * maxTrialCount, its resumePolicy keeps the search's state (LongRunning or FromVolume — Keel
   * rebuilds it from the trials either way), the new maxTrialCount is higher than the trials it
   * has, and nothing else in the spec changed; a {@link ConflictException} saying why not.
   */
  static void restartable(Experiment e, ObjectNode doc, String type, String reason) {
    String at = "experiment " + e.namespace() + "/" + e.name();
    String policy = doc.at("/spec/resumePolicy").asText("Never");
    int trials = doc.at("/status/trials").asInt();
    String why = null;
    if (!type.equals("Succeeded") || !reason.equals("ExperimentMaxTrialsReached")) {
      why = "it ended (" + type + ", " + reason + "); only one that reached maxTrialCount restarts";
    } else if (policy.equals("Never")) {
      why = "it ended and its resumePolicy is Never; LongRunning or FromVolume may restart";
    } else if (e.maxTrialCount() == null || e.maxTrialCount() <= trials) {
      why =
          "it ended at maxTrialCount with "
              + trials
              + " trials; raise spec.maxTrialCount above that to restart it";
    } else {
      ObjectNode was = doc.path("spec").deepCopy();
      ObjectNode now = e.document().path("spec").deepCopy();
      RESTART_FIELDS.forEach(
          f -> {
            was.remove(f);
            now.remove(f);
          });
      if (!was.equals(now)) {
        why =
            "a restart may change only "
                + String.join(", ", RESTART_FIELDS)
                + " in spec; the rest differs from the stored experiment";
      }
    }
    if (why != null) {
      throw new ConflictException(
          at
              + " exists already and cannot carry on: "
              + why
              + "; or give the new one another metadata.name");
    }
  }

  private ObjectNode drive(
      Experiment e, String uid, ObjectNode doc, ObjectNode status, List<Trial> trials, long version)
      throws InterruptedException {
    if (!e.collectorKind().equals("Push")) {
      return driveTrials(e, uid, doc, status, trials, version);
    }
    try (PushCollector p = PushCollector.start(clock)) {
      pushes.put(uid, p);
      return driveTrials(e, uid, doc, status, trials, version);
    } catch (IOException x) {
      throw new java.io.UncheckedIOException("cannot open the Push collector's endpoint", x);
    } finally {
      pushes.remove(uid);
    }
  }

  private ObjectNode driveTrials(
      Experiment e, String uid, ObjectNode doc, ObjectNode status, List<Trial> trials, long version)
      throws InterruptedException {
    Search search =
        Search.of(
            e.algorithm().name(),
            e.algorithm().settings(),
            e.parameters(),
            e.objective().maximize());
    BlockingQueue<Trial> ended = new LinkedBlockingQueue<>();
    boolean exhausted = false;
    String doneReason = null;
    String doneMessage = null;
    boolean succeeded = true;
    version = save(e, doc, status, trials, version);
    for (Trial t : trials) {
      if (t.resumed) {
        start(e, uid, t, ended);
      }
    }

    while (doneReason == null) {
      long active = trials.stream().filter(Trial::active).count();
      int room = (int) (e.parallelTrialCount() - active);
      if (e.maxTrialCount() != null) {
        room = Math.min(room, e.maxTrialCount() - trials.size());
      }
      if (room > 0 && !exhausted) {
        List<Search.Observed> history = new ArrayList<>();
        for (Trial t : trials) {
          boolean scored = t.condition.equals("Succeeded") || t.condition.equals("EarlyStopped");
          history.add(
              new Search.Observed(
                  t.assignments, scored ? t.objective : null, !scored && !t.active()));
        }
        List<Map<String, String>> next = search.suggest(room, history);
        if (next.size() < room && e.algorithm().name().equals("grid")) {
          exhausted = true;
        }
        if (next.isEmpty() && search.finished(history)) {
          exhausted = true;
        }
        for (Map<String, String> a : next) {
          Trial t = new Trial(e.name() + "-" + suffix(), a);
          trials.add(t);
          start(e, uid, t, ended);
          active++;
        }
        if (next.isEmpty() && active == 0) {
          exhausted = true; // nothing running that could change the search's mind
        }
      }
      if (active == 0) {
        if (exhausted) {
          doneReason = "ExperimentSuggestionEndReached";
          doneMessage = "Experiment has succeeded because the search space has no more points";
        } else {
          doneReason = "ExperimentFailed";
          doneMessage = "no trial could be started";
          succeeded = false;
        }
        break;
      }
      version = save(e, doc, status, trials, version);
      Trial t = e.earlyStopping() == null ? ended.take() : nextEnded(e, trials, ended);
      finish(e, t);
      // the trial's end is stored before anything acts on it (the next trial starts in its room):
      // a process killed after that start must not leave a finished trial to be run again
      version = save(e, doc, status, trials, version);
      Trial best = best(e, trials);
      progress.trialEnded(
          t.name,
          t.condition,
          t.objective == null ? null : Search.pyFloat(t.objective),
          best == null ? null : Search.pyFloat(best.objective));
      long failedish =
          trials.stream()
              .filter(x -> x.condition.equals("Failed") || x.condition.equals("MetricsUnavailable"))
              .count();
      long finished = trials.stream().filter(x -> !x.active()).count();
      if (best != null
          && e.objective().goal() != null
          && (e.objective().maximize()
              ? best.objective >= e.objective().goal()
              : best.objective <= e.objective().goal())) {
        doneReason = "ExperimentGoalReached";
        doneMessage = "Experiment has succeeded because Objective goal has reached";
      } else if (e.maxFailedTrialCount() != null
          && failedish > 0
          && failedish >= e.maxFailedTrialCount()) {
        doneReason = "ExperimentFailed";
        doneMessage = "Experiment has failed because max failed count has reached";
        succeeded = false;
      } else if (e.maxTrialCount() != null && finished >= e.maxTrialCount()) {
        doneReason = "ExperimentMaxTrialsReached";
        doneMessage = "Experiment has succeeded because max trial count has reached";
      }
    }
    // trials still running when the experiment ends are killed, as Katib deletes them
    for (Trial t : trials) {
      if (t.active() && t.workload != null) {
        t.workload.cancel();
        t.condition = "Killed";
        t.reason = "TrialKilled";
        t.message = "the experiment ended: " + doneReason;
        t.completionTime = clock.instant();
      }
    }
    Instant end = clock.instant();
    status.put("completionTime", end.toString());
    condition(status, succeeded ? "Succeeded" : "Failed", doneReason, doneMessage, end);
    save(e, doc, status, trials, version);
    progress.note(doneMessage);
    return doc;
  }

  private static String suffix() {
    String id = Ids.newId();
    return id.substring(id.length() - 8);
  }

  private void start(Experiment e, String experimentUid, Trial t, BlockingQueue<Trial> ended) {
    t.startTime = clock.instant();
    ObjectNode trialDoc = trialDocument(e, experimentUid, t);
    if (t.resumed) {
      store.resources().clearObservations(t.uid); // it reports afresh
    } else {
      t.uid = Ids.newId();
      store
          .resources()
          .create(
              new ResourceRecord(
                  "Trial",
                  e.namespace(),
                  t.name,
                  t.uid,
                  experimentUid,
                  0,
                  Json.write(trialDoc),
                  t.startTime,
                  t.startTime));
      t.base = trialDoc.deepCopy();
      t.written = Json.write(trialDoc);
      t.version = 1;
    }
    progress.trialStarted(t.name, t.assignments);
    ObjectNode job;
    try {
      job = TrialTemplates.render(e.trialTemplate(), t.assignments, t.name, e.namespace());
    } catch (IllegalArgumentException x) {
      fail(t, "TrialFailed", x.getMessage(), ended);
      return;
    }
    Path dir = workDir.resolve("katib").resolve(e.namespace()).resolve(e.name()).resolve(t.name);
    if (PipelineTrial.is(job)) {
      if (pipelines == null) {
        fail(
            t,
            "TrialFailed",
            "pipeline trials need a pipeline engine, which this Keel was started without",
            ended);
        return;
      }
      try {
        t.workload =
            PipelineTrial.start(pipelines, store, job, t.name, e.namespace(), dir, clock.instant());
      } catch (IllegalArgumentException x) {
        fail(t, "TrialFailed", x.getMessage(), ended);
        return;
      }
      t.condition = "Running";
      t.reason = "TrialRunning";
      t.workload.completion().whenComplete((s, x) -> ended.add(t));
      return;
    }
    String kind = e.trialTemplate().kind();
    if (!kind.equals("Job")) {
      fail(
          t,
          "TrialFailed",
          "trials of kind "
              + kind
              + " need the training controller, which this Keel does not have yet; use a batch/v1"
              + " Job or a Keel pipeline run ("
              + PipelineTrial.API_VERSION
              + " Run)",
          ended);
      return;
    }
    JsonNode podSpec = job.path("spec").path("template").path("spec");
    JsonNode container = null;
    for (JsonNode c : podSpec.path("containers")) {
      if (c.path("name").asText().equals(e.trialTemplate().primaryContainerName())
          || podSpec.path("containers").size() == 1) {
        container = c;
      }
    }
    if (container == null) {
      fail(
          t,
          "TrialFailed",
          "the Job has no container named '" + e.trialTemplate().primaryContainerName() + "'",
          ended);
      return;
    }
    String mount = mountPoint(e);
    String local = mount == null ? null : localMount(dir, mount).toString();
    List<String> command = new ArrayList<>();
    container.path("command").forEach(x -> command.add(remap(x.asText(), mount, local)));
    List<String> args = new ArrayList<>();
    container.path("args").forEach(x -> args.add(remap(x.asText(), mount, local)));
    if (command.isEmpty()) {
      fail(
          t,
          "TrialFailed",
          "the container relies on its image's entrypoint; give it a command",
          ended);
      return;
    }
    Map<String, String> env = new LinkedHashMap<>();
    container
        .path("env")
        .forEach(
            x -> env.put(x.path("name").asText(), remap(x.path("value").asText(), mount, local)));
    PushCollector push = pushes.get(experimentUid);
    if (push != null) {
      t.push = push;
      List<String> names = new ArrayList<>();
      names.add(e.objective().metricName());
      names.addAll(e.objective().additionalMetricNames());
      t.pushToken = push.register(t.name, names);
      env.put("KEEL_METRICS_URL", push.url());
      env.put("KEEL_METRICS_TOKEN", t.pushToken);
    }
    if (local != null) {
      try {
        Files.createDirectories(Path.of(local));
      } catch (IOException x) {
        fail(
            t,
            "TrialFailed",
            "cannot make " + local + " for the metrics: " + x.getMessage(),
            ended);
        return;
      }
    }
    // a restarted Keel finds and kills the processes of the experiment it takes over by this tag
    env.put("KEEL_EXPERIMENT", experimentUid);
    JsonNode res = container.path("resources");
    JsonNode req = res.path("requests").isObject() ? res.path("requests") : res.path("limits");
    WorkloadSpec.Builder spec =
        WorkloadSpec.builder(t.name)
            .namespace(e.namespace())
            .owner(e.name())
            .image(container.path("image").asText(""))
            .command(command)
            .args(args)
            .env(env)
            .workingDir(dir)
            .logFile(dir.resolve("trial.log"))
            .resources(
                ResourceRequest.of(req.path("cpu").asText(null), req.path("memory").asText(null)));
    if (job.path("spec").has("activeDeadlineSeconds")) {
      spec.timeout(
          java.time.Duration.ofSeconds(job.path("spec").path("activeDeadlineSeconds").asLong()));
    }
    t.condition = "Running";
    t.reason = "TrialRunning";
    t.workload = runtime.launch(spec.build());
    t.workload.completion().whenComplete((s, x) -> ended.add(t));
  }

  /**
   * Waits for a trial to end, meanwhile applying median stop to the running ones every 200 ms: once
   * {@code min_trials_required} trials have ended, a running trial whose best objective after
   * {@code start_step} reports is worse than the mean of the ended trials' averages over their
   * first {@code start_step} reports is stopped, as Katib's medianstop service and metrics sidecar
   * do.
   */
  private Trial nextEnded(Experiment e, List<Trial> trials, BlockingQueue<Trial> ended)
      throws InterruptedException {
    Experiment.MedianStop rule = e.earlyStopping();
    String metric = e.objective().metricName();
    while (true) {
      Trial t = ended.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS);
      if (t != null) {
        return t;
      }
      List<Double> averages = new ArrayList<>();
      for (Trial done : trials) {
        if (done.condition.equals("Succeeded")) { // Katib's service reads succeeded trials only
          List<Double> first = values(done.points, metric);
          if (!first.isEmpty()) {
            List<Double> head = first.subList(0, Math.min(rule.startStep(), first.size()));
            averages.add(head.stream().mapToDouble(Double::doubleValue).average().orElse(0));
          }
        }
      }
      if (averages.size() < rule.minTrialsRequired()) {
        continue;
      }
      double limit = averages.stream().mapToDouble(Double::doubleValue).average().orElse(0);
      for (Trial running : trials) {
        if (!running.condition.equals("Running")
            || running.workload == null
            || running.earlyStopped) {
          continue;
        }
        List<Double> seen = values(read(running, e), metric);
        if (seen.size() < rule.startStep()) {
          continue;
        }
        boolean maximize = e.objective().maximize();
        double best =
            maximize
                ? seen.stream().mapToDouble(Double::doubleValue).max().orElse(0)
                : seen.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        if (maximize ? best < limit : best > limit) {
          running.earlyStopped = true;
          running.message =
              "Trial is early stopped: its best "
                  + metric
                  + " "
                  + Search.pyFloat(best)
                  + " after "
                  + seen.size()
                  + " reports is "
                  + (maximize ? "below" : "above")
                  + " the median stop value "
                  + Search.pyFloat(limit);
          running.workload.cancel();
        }
      }
    }
  }

  private static List<Double> values(List<Metrics.Point> points, String metric) {
    List<Double> out = new ArrayList<>();
    for (Metrics.Point p : points) {
      if (p.name().equals(metric)) {
        try {
          out.add(Double.parseDouble(p.value()));
        } catch (NumberFormatException ignored) {
          // not a number: not comparable
        }
      }
    }
    return out;
  }

  /** The metrics a trial has reported so far; none when they cannot be read yet. */
  private List<Metrics.Point> read(Trial t, Experiment e) {
    try {
      return collect(t, e);
    } catch (IOException | IllegalArgumentException x) {
      return List.of();
    }
  }

  /**
   * A trial's metrics as its experiment's collector reads them: its output (StdOut), the file it
   * wrote (File, TEXT or JSON), its event files (TensorFlowEvent) or what it reported (Push).
   */
  private List<Metrics.Point> collect(Trial t, Experiment e) throws IOException {
    List<String> names = new ArrayList<>();
    names.add(e.objective().metricName());
    names.addAll(e.objective().additionalMetricNames());
    Path dir = t.workload.spec().workingDir();
    return switch (e.collectorKind()) {
      case "Push" -> t.push == null ? List.of() : t.push.points(t.pushToken);
      case "TensorFlowEvent" -> TfEvents.read(localMount(dir, mountPoint(e)), names);
      case "File" -> {
        Path file = localMount(dir, mountPoint(e)).resolve(fileName(e.metricsPath()));
        if (!Files.exists(file)) {
          yield List.of();
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        yield e.metricsFileFormat().equals("JSON")
            ? JsonMetrics.parse(lines, names)
            : Metrics.parse(lines, names, e.metricsFormat());
      }
      default -> {
        Path log = t.workload.spec().logFile();
        yield Files.exists(log)
            ? Metrics.parse(
                Files.readAllLines(log, StandardCharsets.UTF_8), names, e.metricsFormat())
            : List.of();
      }
    };
  }

  /**
   * The folder, as the trial's container sees it, that Katib would mount for the collector: the
   * metrics file's folder, or the event files' folder; {@code null} for StdOut and Push.
   */
  private static String mountPoint(Experiment e) {
    if (e.metricsPath() == null) {
      return null;
    }
    String p = e.metricsPath().replaceAll("/+$", "");
    return e.collectorKind().equals("File") ? p.substring(0, Math.max(p.lastIndexOf('/'), 0)) : p;
  }

  private static String fileName(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  /** Where a container folder lies on this machine: under the trial's own folder. */
  private static Path localMount(Path trialDir, String mount) {
    Path p = trialDir.resolve("mnt");
    for (String part : mount.split("/")) {
      if (!part.isEmpty()) {
        p = p.resolve(part);
      }
    }
    return p;
  }

  /**
   * A command-line word or env value with the container's metrics folder replaced by its local
   * place, where the folder stands whole ({@code /katib/x.log} and {@code --log=/katib/x.log}, not
   * {@code /katibx}).
   */
  static String remap(String word, String mount, String local) {
    if (mount == null || mount.isEmpty() || !word.contains(mount)) {
      return word;
    }
    return word.replaceAll(
        java.util.regex.Pattern.quote(mount) + "(?=/|$)",
        java.util.regex.Matcher.quoteReplacement(local));
  }

  private void fail(Trial t, String reason, String message, BlockingQueue<Trial> ended) {
    t.condition = "Failed";
    t.reason = reason;
    t.message = message;
    t.completionTime = clock.instant();
    ended.add(t);
  }

  /** Reads a finished trial's metrics and decides its condition. */
  private void finish(Experiment e, Trial t) {
    if (t.workload == null) {
      return; // failed before it started
    }
    WorkloadStatus s = t.workload.status();
    t.completionTime = clock.instant();
    List<String> lines = List.of();
    try {
      lines = Files.readAllLines(t.workload.spec().logFile(), StandardCharsets.UTF_8);
    } catch (IOException ignored) {
      // no output
    }
    List<String> names = new ArrayList<>();
    names.add(e.objective().metricName());
    names.addAll(e.objective().additionalMetricNames());
    List<Metrics.Point> points;
    String unreadable = null;
    try {
      points = collect(t, e);
    } catch (IOException | IllegalArgumentException x) {
      points = List.of();
      unreadable = x.getMessage();
    }
    if (t.push != null) {
      t.push.unregister(t.pushToken);
    }
    t.points = points;
    store
        .resources()
        .observe(
            t.uid,
            points.stream()
                .map(p -> new ObservationRecord(p.name(), p.step(), p.value(), p.timestamp()))
                .toList());
    List<Metrics.Summary> summaries = new ArrayList<>();
    for (String n : names) {
      summaries.add(Metrics.summarise(n, points));
    }
    t.metrics = summaries;
    if (t.earlyStopped) {
      t.condition = "EarlyStopped";
      t.reason = "TrialEarlyStopped";
      String v =
          Metrics.pick(
              summaries.get(0),
              e.objective().strategies().getOrDefault(e.objective().metricName(), "latest"));
      try {
        t.objective = Double.parseDouble(v);
      } catch (NumberFormatException x) {
        t.objective = null;
      }
      return;
    }
    if (s.phase() != Phase.SUCCEEDED) {
      t.condition = "Failed";
      t.reason = "TrialFailed";
      String last = lines.isEmpty() ? "" : lines.get(lines.size() - 1);
      if ("Timeout".equals(s.reason())) { // as Kubernetes says it of a Job past its deadline
        t.message =
            "Job was active longer than specified deadline (activeDeadlineSeconds: "
                + t.workload.spec().timeout().toSeconds()
                + ")";
      } else {
        t.message =
            (s.message() == null ? s.reason() : s.message())
                + (last.isBlank() || last.startsWith("[keel]") ? "" : ": " + last);
      }
      return;
    }
    String value =
        Metrics.pick(
            summaries.get(0),
            e.objective().strategies().getOrDefault(e.objective().metricName(), "latest"));
    try {
      t.objective = Double.parseDouble(value);
      t.condition = "Succeeded";
      t.reason = "TrialSucceeded";
      t.message = "Trial has succeeded";
    } catch (NumberFormatException x) {
      t.condition = "MetricsUnavailable";
      t.reason = "MetricsUnavailable";
      t.message =
          unreadable != null
              ? "the trial's metrics could not be read: " + unreadable
              : "the trial "
                  + switch (e.collectorKind()) {
                    case "Push" -> "reported";
                    case "File", "TensorFlowEvent" -> "wrote to " + e.metricsPath();
                    default -> "printed";
                  }
                  + " no value of "
                  + e.objective().metricName();
    }
  }

  private static Trial best(Experiment e, List<Trial> trials) {
    Trial best = null;
    for (Trial t : trials) {
      if (t.condition.equals("Succeeded")
          && t.objective != null
          && (best == null
              || (e.objective().maximize()
                  ? t.objective > best.objective
                  : t.objective < best.objective))) {
        best = t;
      }
    }
    return best;
  }

  // ------------------------------------------------------------------ Katib's documents

  private long save(
      Experiment e, ObjectNode doc, ObjectNode status, List<Trial> trials, long version) {
    Instant now = clock.instant();
    counts(status, trials);
    Trial best = best(e, trials);
    ObjectNode optimal = status.putObject("currentOptimalTrial");
    if (best != null) {
      optimal.put("bestTrialName", best.name);
      assignments(optimal.putArray("parameterAssignments"), best.assignments);
      metrics(optimal.putObject("observation").putArray("metrics"), best.metrics);
    }
    for (Trial t : trials) {
      saveTrial(e, t, now);
    }
    doc.set("status", status);
    saveSuggestion(e, doc.at("/metadata/uid").asText(), status, trials, now);
    return store
        .resources()
        .update("Experiment", e.namespace(), e.name(), version, Json.write(doc), now);
  }

  /**
   * Writes a trial's status when it changed since it was last written. The stored document is read
   * once per trial and process; after that what was written is remembered, so a save costs nothing
   * for the trials that did not change (an experiment of n trials is not n² reads).
   */
  private void saveTrial(Experiment e, Trial t, Instant now) {
    if (t.base == null) {
      var stored = store.resources().get("Trial", e.namespace(), t.name);
      if (stored.isEmpty()) {
        return; // deleted under us: the experiment is going away
      }
      t.written = stored.get().document();
      t.version = stored.get().resourceVersion();
      t.base = (ObjectNode) Json.parse(t.written);
      t.base.remove("status");
    }
    ObjectNode td = t.base.deepCopy();
    ObjectNode ts = td.putObject("status");
    if (t.startTime != null) {
      ts.put("startTime", t.startTime.toString());
    }
    if (t.completionTime != null) {
      ts.put("completionTime", t.completionTime.toString());
    }
    ArrayNode conds = ts.putArray("conditions");
    conds.addObject().put("type", "Created").put("status", "True").put("reason", "TrialCreated");
    if (!t.condition.equals("Created")) {
      conds
          .addObject()
          .put("type", t.condition)
          .put("status", "True")
          .put("reason", t.reason)
          .put("message", t.message);
    }
    if (!t.metrics.isEmpty()) {
      metrics(ts.putObject("observation").putArray("metrics"), t.metrics);
    }
    String json = Json.write(td);
    if (!json.equals(t.written)) {
      t.version = store.resources().update("Trial", e.namespace(), t.name, t.version, json, now);
      t.written = json;
    }
  }

  /**
   * The experiment's Suggestion, as Katib keeps it: the algorithm, how many assignments were asked
   * for, and every assignment handed out, by trial name.
   */
  private void saveSuggestion(
      Experiment e,
      String experimentUid,
      ObjectNode experimentStatus,
      List<Trial> trials,
      Instant now) {
    ObjectNode d = owned("Suggestion", e.name(), e, experimentUid);
    ObjectNode spec = d.putObject("spec");
    spec.set("algorithm", e.document().at("/spec/algorithm").deepCopy());
    if (e.earlyStopping() != null) {
      spec.set("earlyStopping", e.document().at("/spec/earlyStopping").deepCopy());
    }
    spec.put("requests", trials.size());
    spec.put("resumePolicy", e.resumePolicy());
    ObjectNode status = d.putObject("status");
    status.put("suggestionCount", trials.size());
    ArrayNode list = status.putArray("suggestions");
    for (Trial t : trials) {
      ObjectNode one = list.addObject();
      one.put("name", t.name);
      assignments(one.putArray("parameterAssignments"), t.assignments);
    }
    boolean ended = experimentStatus.has("completionTime");
    status
        .putArray("conditions")
        .addObject()
        .put("type", ended ? "Succeeded" : "Running")
        .put("status", "True")
        .put("reason", ended ? "SuggestionSucceeded" : "SuggestionRunning")
        .put("message", ended ? "Suggestion is succeeded" : "Suggestion is running");
    var stored = store.resources().get("Suggestion", e.namespace(), e.name());
    if (stored.isEmpty()) {
      store
          .resources()
          .create(
              new ResourceRecord(
                  "Suggestion",
                  e.namespace(),
                  e.name(),
                  Ids.newId(),
                  experimentUid,
                  0,
                  Json.write(d),
                  now,
                  now));
    } else if (!stored.get().document().equals(Json.write(d))) {
      store
          .resources()
          .update(
              "Suggestion",
              e.namespace(),
              e.name(),
              stored.get().resourceVersion(),
              Json.write(d),
              now);
    }
  }

  private static void counts(ObjectNode status, List<Trial> trials) {
    Map<String, String[]> lists =
        Map.of(
            "Running", new String[] {"trialsRunning", "runningTrialList"},
            "Created", new String[] {"trialsPending", "pendingTrialList"},
            "Succeeded", new String[] {"trialsSucceeded", "succeededTrialList"},
            "Failed", new String[] {"trialsFailed", "failedTrialList"},
            "Killed", new String[] {"trialsKilled", "killedTrialList"},
            "MetricsUnavailable",
                new String[] {"trialMetricsUnavailable", "metricsUnavailableTrialList"},
            "EarlyStopped", new String[] {"trialsEarlyStopped", "earlyStoppedTrialList"});
    status.put("trials", trials.size());
    for (Map.Entry<String, String[]> kv : lists.entrySet()) {
      List<String> names =
          trials.stream().filter(t -> t.condition.equals(kv.getKey())).map(t -> t.name).toList();
      status.remove(kv.getValue()[1]);
      if (names.isEmpty()) {
        status.remove(kv.getValue()[0]);
      } else {
        status.put(kv.getValue()[0], names.size());
        ArrayNode a = status.putArray(kv.getValue()[1]);
        names.forEach(a::add);
      }
    }
  }

  private static void assignments(ArrayNode out, Map<String, String> a) {
    a.forEach((k, v) -> out.addObject().put("name", k).put("value", v));
  }

  private static void metrics(ArrayNode out, List<Metrics.Summary> ms) {
    for (Metrics.Summary m : ms) {
      out.addObject()
          .put("name", m.name())
          .put("min", m.min())
          .put("max", m.max())
          .put("latest", m.latest());
    }
  }

  private static void condition(
      ObjectNode status, String type, String reason, String message, Instant at) {
    ArrayNode conds =
        status.has("conditions")
            ? (ArrayNode) status.get("conditions")
            : status.putArray("conditions");
    for (JsonNode c : conds) {
      if (c.path("type").asText().equals("Running") && !type.equals("Running")) {
        ((ObjectNode) c).put("status", "False");
      }
    }
    conds
        .addObject()
        .put("type", type)
        .put("status", "True")
        .put("reason", reason)
        .put("message", message)
        .put("lastUpdateTime", at.toString())
        .put("lastTransitionTime", at.toString());
  }

  /**
   * A new document of {@code kind} named {@code name} that experiment {@code e} owns, as Katib
   * labels and references its Trials and Suggestion.
   */
  private static ObjectNode owned(String kind, String name, Experiment e, String experimentUid) {
    ObjectNode d = Json.json().createObjectNode();
    d.put("apiVersion", API);
    d.put("kind", kind);
    ObjectNode m = d.putObject("metadata");
    m.put("name", name);
    m.put("namespace", e.namespace());
    m.putObject("labels").put("katib.kubeflow.org/experiment", e.name());
    m.putArray("ownerReferences")
        .addObject()
        .put("apiVersion", API)
        .put("kind", "Experiment")
        .put("name", e.name())
        .put("uid", experimentUid);
    return d;
  }

  private ObjectNode trialDocument(Experiment e, String experimentUid, Trial t) {
    ObjectNode d = owned("Trial", t.name, e, experimentUid);
    ObjectNode s = d.putObject("spec");
    ObjectNode o = s.putObject("objective");
    o.put("type", e.objective().type());
    o.put("objectiveMetricName", e.objective().metricName());
    assignments(s.putArray("parameterAssignments"), t.assignments);
    s.put("primaryContainerName", e.trialTemplate().primaryContainerName());
    s.put("retainRun", e.trialTemplate().retain());
    return d;
  }
}
