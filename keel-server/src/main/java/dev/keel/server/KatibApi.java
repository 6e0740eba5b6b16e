package dev.keel.server;

import static dev.keel.server.KeelServer.json;
import static dev.keel.server.KeelServer.principal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.access.Access;
import dev.keel.access.Action;
import dev.keel.access.Principal;
import dev.keel.core.Json;
import dev.keel.core.Owners;
import dev.keel.core.Problem;
import dev.keel.core.ValidationException;
import dev.keel.katib.Experiment;
import dev.keel.katib.ExperimentController;
import dev.keel.pipelines.PipelineEngine;
import dev.keel.runtime.LocalRuntime;
import dev.keel.runtime.Workload;
import dev.keel.runtime.WorkloadRuntime;
import dev.keel.store.ConflictException;
import dev.keel.store.ResourceRecord;
import dev.keel.store.Store;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Katib's resources under {@code /apis/kubeflow.org/v1beta1}, as the Kubernetes API serves them:
 * experiments (create, list, get, delete) and their trials (list with a label selector, get), per
 * namespace under {@code namespaces/{namespace}/}, and across the namespaces the caller may read
 * without it.
 *
 * <p>A created experiment runs in this process on a bounded pool, one thread per running
 * experiment, through {@link ExperimentController} over the server's store and runtime; deleting a
 * running one stops its controller and its trials first. At start, experiments a process that has
 * ended left unfinished are taken over and carried on.
 */
final class KatibApi implements AutoCloseable {
  static final String GROUP = "/apis/kubeflow.org/v1beta1";
  private static final String API_VERSION = "kubeflow.org/v1beta1";
  private static final String NS = GROUP + "/namespaces/{namespace}";

  /** How long a create waits for the controller to store the experiment before it answers. */
  private static final long CREATE_WAIT_MS = 30_000;

  private final Store store;
  private final PipelineEngine engine; // for trials that are pipeline runs
  private final Access access;
  private final WorkloadRuntime runtime;
  private final Path workDir;
  private final Clock clock;
  private final Consumer<String> log;
  private final int maxRunning;
  private final ThreadPoolExecutor pool;
  private final Map<String, Running> running = new ConcurrentHashMap<>();

  /** An experiment this server drives: its controller's task and the workloads it launched. */
  private static final class Running {
    volatile Future<?> future;
    volatile Throwable failure;
    final CountDownLatch done = new CountDownLatch(1);
    final List<Workload> workloads = new CopyOnWriteArrayList<>();
  }

  KatibApi(
      Store store,
      PipelineEngine engine,
      Access access,
      WorkloadRuntime runtime,
      Path workDir,
      Clock clock,
      int maxRunning,
      Consumer<String> log) {
    this.store = store;
    this.engine = engine;
    this.access = access;
    this.runtime = runtime;
    this.workDir = workDir;
    this.clock = clock;
    this.log = log;
    this.maxRunning = maxRunning;
    AtomicInteger n = new AtomicInteger();
    this.pool =
        new ThreadPoolExecutor(
            0,
            maxRunning,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            r -> {
              Thread t = new Thread(r, "keel-experiment-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  void register(RoutesConfig r) {
    r.post(NS + "/experiments", this::create);
    r.get(NS + "/experiments", ctx -> list(ctx, "Experiment", ctx.pathParam("namespace")));
    r.get(NS + "/experiments/{name}", ctx -> get(ctx, "Experiment"));
    r.put(NS + "/experiments/{name}", this::replace);
    r.delete(NS + "/experiments/{name}", this::delete);
    r.get(NS + "/trials", ctx -> list(ctx, "Trial", ctx.pathParam("namespace")));
    r.get(NS + "/trials/{name}", ctx -> get(ctx, "Trial"));
    r.get(NS + "/trials/{name}/observationlog", this::observationLog);
    // across namespaces, as kubectl get -A lists: only those the caller may read
    r.get(GROUP + "/experiments", ctx -> list(ctx, "Experiment", null));
    r.get(GROUP + "/trials", ctx -> list(ctx, "Trial", null));
    r.get(NS + "/suggestions", ctx -> list(ctx, "Suggestion", ctx.pathParam("namespace")));
    r.get(NS + "/suggestions/{name}", ctx -> get(ctx, "Suggestion"));
    r.get(GROUP + "/suggestions", ctx -> list(ctx, "Suggestion", null));
  }

  // ------------------------------------------------------------------ routes

  /**
   * Applies an experiment again under its name, as {@code kubectl apply} of a changed file does: an
   * experiment that reached maxTrialCount restarts with a higher one (Katib's rules, see {@link
   * ExperimentController#checkApplyAgain}); one that a dead process left unfinished carries on.
   */
  private void replace(Context ctx) throws InterruptedException {
    String namespace = ctx.pathParam("namespace");
    String name = ctx.pathParam("name");
    access.check(principal(ctx), namespace, Action.WRITE);
    if (runtime == null) {
      throw ApiError.failedPrecondition(
          "this server runs no experiments: it was started without a runtime");
    }
    ResourceRecord stored =
        store
            .resources()
            .get("Experiment", namespace, name)
            .orElseThrow(() -> notFound("Experiment", namespace, name));
    ObjectNode doc = body(ctx);
    ObjectNode meta = doc.with("metadata");
    if (!meta.path("name").asText(name).equals(name)) {
      throw ApiError.badRequest(
          "metadata.name",
          "'" + meta.path("name").asText() + "' is not '" + name + "', the name in the path");
    }
    if (!meta.path("namespace").asText(namespace).equals(namespace)) {
      throw ApiError.badRequest(
          "metadata.namespace",
          "'"
              + meta.path("namespace").asText()
              + "' does not match the namespace of the request, '"
              + namespace
              + "'");
    }
    meta.put("name", name);
    meta.put("namespace", namespace);
    Experiment e = Experiment.read(doc);
    if (running.containsKey(namespace + "/" + name)) {
      throw exists(namespace, name);
    }
    try {
      ExperimentController.checkApplyAgain(e, stored.document());
    } catch (ConflictException x) {
      throw new ApiError(409, ApiError.ALREADY_EXISTS, x.getMessage(), List.of());
    }
    Running r = launch(e);
    long deadline = System.currentTimeMillis() + CREATE_WAIT_MS;
    while (System.currentTimeMillis() < deadline && !r.done.await(20, TimeUnit.MILLISECONDS)) {
      ResourceRecord now = store.resources().get("Experiment", namespace, name).orElse(stored);
      if (now.resourceVersion() != stored.resourceVersion()) {
        break; // the controller has taken it up
      }
    }
    json(ctx, document(store.resources().get("Experiment", namespace, name).orElse(stored)));
  }

  private void create(Context ctx) throws InterruptedException {
    String namespace = ctx.pathParam("namespace");
    access.check(principal(ctx), namespace, Action.WRITE);
    if (runtime == null) {
      throw ApiError.failedPrecondition(
          "this server runs no experiments: it was started without a runtime");
    }
    ObjectNode doc = body(ctx);
    JsonNode meta = doc.path("metadata");
    if (!meta.isMissingNode() && !meta.isObject()) {
      throw ApiError.badRequest("metadata", "must be an object");
    }
    String given = meta.path("namespace").asText("");
    if (!given.isEmpty() && !given.equals(namespace)) {
      throw ApiError.badRequest(
          "metadata.namespace",
          "'"
              + given
              + "' does not match the namespace of the request, '"
              + namespace
              + "'; leave it out or make them the same");
    }
    if (meta.isObject()) {
      ((ObjectNode) meta).put("namespace", namespace);
    } else {
      doc.putObject("metadata").put("namespace", namespace);
    }
    Experiment e = Experiment.read(doc); // every problem with its path, as 400
    if (store.resources().get("Experiment", namespace, e.name()).isPresent()) {
      throw exists(namespace, e.name());
    }
    Running r = launch(e);
    long deadline = System.currentTimeMillis() + CREATE_WAIT_MS;
    while (true) {
      Optional<ResourceRecord> made = store.resources().get("Experiment", namespace, e.name());
      if (made.isPresent()) {
        ctx.status(201);
        json(ctx, document(made.get()));
        return;
      }
      if (r.done.await(20, TimeUnit.MILLISECONDS)) {
        made = store.resources().get("Experiment", namespace, e.name());
        if (made.isPresent()) {
          ctx.status(201);
          json(ctx, document(made.get()));
          return;
        }
        Throwable f = r.failure;
        if (f instanceof ConflictException c) {
          throw c;
        }
        if (f instanceof ValidationException v) {
          throw v;
        }
        throw new ApiError(
            500,
            ApiError.INTERNAL,
            "the experiment could not start: " + (f == null ? "it was stopped" : f.getMessage()),
            List.of());
      }
      if (System.currentTimeMillis() > deadline) {
        throw new ApiError(
            500,
            ApiError.INTERNAL,
            "the experiment was accepted but not stored within "
                + CREATE_WAIT_MS / 1000
                + " s; look for it with GET",
            List.of());
      }
    }
  }

  private void get(Context ctx, String kind) {
    String namespace = ctx.pathParam("namespace");
    access.check(principal(ctx), namespace, Action.READ);
    String name = ctx.pathParam("name");
    ResourceRecord r =
        store
            .resources()
            .get(kind, namespace, name)
            .orElseThrow(() -> notFound(kind, namespace, name));
    json(ctx, document(r));
  }

  /**
   * A trial's observation log as Katib's {@code GetObservationLog} answers it: every value
   * reported, oldest first, optionally of one {@code metric} only.
   */
  private void observationLog(Context ctx) {
    String namespace = ctx.pathParam("namespace");
    access.check(principal(ctx), namespace, Action.READ);
    String name = ctx.pathParam("name");
    ResourceRecord trial =
        store
            .resources()
            .get("Trial", namespace, name)
            .orElseThrow(() -> notFound("Trial", namespace, name));
    String metric = ctx.queryParam("metric");
    ObjectNode out = Json.json().createObjectNode();
    ObjectNode log = out.putObject("observationLog");
    log.put("trialName", name);
    ArrayNode logs = log.putArray("metricLogs");
    for (var o : store.resources().observations(trial.uid())) {
      if (metric == null || metric.equals(o.metricName())) {
        ObjectNode m = logs.addObject();
        m.put("timeStamp", o.time().toString());
        m.put("step", o.step());
        m.putObject("metric").put("name", o.metricName()).put("value", o.value());
      }
    }
    json(ctx, out);
  }

  private void list(Context ctx, String kind, String namespace) {
    Principal p = principal(ctx);
    if (namespace != null) {
      access.check(p, namespace, Action.READ);
    }
    Map<String, String> selector = selector(ctx.queryParam("labelSelector"));
    ObjectNode out = Json.json().createObjectNode();
    out.put("apiVersion", API_VERSION);
    out.put("kind", kind + "List");
    out.putObject("metadata");
    ArrayNode items = out.putArray("items");
    Map<String, Boolean> readable = new LinkedHashMap<>();
    for (ResourceRecord r : store.resources().list(kind, namespace)) {
      if (namespace == null
          && !readable.computeIfAbsent(r.namespace(), ns -> access.can(p, ns, Action.READ))) {
        continue;
      }
      ObjectNode d = document(r);
      if (matches(d, selector)) {
        items.add(d);
      }
    }
    json(ctx, out);
  }

  private void delete(Context ctx) throws InterruptedException {
    String namespace = ctx.pathParam("namespace");
    access.check(principal(ctx), namespace, Action.WRITE);
    String name = ctx.pathParam("name");
    ResourceRecord r =
        store
            .resources()
            .get("Experiment", namespace, name)
            .orElseThrow(() -> notFound("Experiment", namespace, name));
    boolean wasRunning = stop(key(namespace, name), 30_000);
    // a trial process left by another (ended) process that drove it
    int killed = LocalRuntime.killTagged("KEEL_EXPERIMENT", r.uid());
    store.resources().delete("Experiment", namespace, name); // and the trials it owns
    log.accept(
        "experiment "
            + namespace
            + "/"
            + name
            + " deleted"
            + (wasRunning ? " (stopped while running)" : "")
            + (killed > 0 ? "; " + killed + " leftover process(es) killed" : ""));
    ObjectNode status = Json.json().createObjectNode();
    status.put("apiVersion", "v1");
    status.put("kind", "Status");
    status.putObject("metadata");
    status.put("status", "Success");
    status
        .putObject("details")
        .put("name", name)
        .put("group", "kubeflow.org")
        .put("kind", "experiments")
        .put("uid", r.uid());
    json(ctx, status);
  }

  // ------------------------------------------------------------------ running experiments

  /**
   * Takes over the experiments a process that has ended left unfinished, and carries each on.
   *
   * @return their names, {@code namespace/name}
   */
  List<String> resumeUnfinished() {
    List<String> resumed = new ArrayList<>();
    if (runtime == null) {
      return resumed;
    }
    for (ResourceRecord r : store.resources().list("Experiment", null)) {
      JsonNode doc = Json.parse(r.document());
      if (ended(doc)) {
        continue;
      }
      String owner = doc.at("/metadata/annotations").path(ExperimentController.OWNER).asText("");
      if (!owner.isEmpty() && !Owners.isDeadLocal(owner)) {
        continue; // a live process drives it, or one on another machine
      }
      String at = r.namespace() + "/" + r.name();
      try {
        launch(Experiment.read(doc));
        resumed.add(at);
      } catch (ValidationException e) {
        log.accept("experiment " + at + " cannot be resumed: " + e.problems());
      } catch (ApiError e) {
        log.accept("experiment " + at + " not resumed now: " + e.getMessage());
      }
    }
    return resumed;
  }

  private Running launch(Experiment e) {
    String key = key(e.namespace(), e.name());
    Running r = new Running();
    if (running.putIfAbsent(key, r) != null) {
      throw exists(e.namespace(), e.name());
    }
    WorkloadRuntime tracked =
        new WorkloadRuntime() {
          @Override
          public Workload launch(dev.keel.runtime.WorkloadSpec spec) {
            Workload w = runtime.launch(spec);
            r.workloads.add(w);
            return w;
          }

          @Override
          public void close() {
            // the server's runtime outlives the experiment
          }
        };
    String at = e.namespace() + "/" + e.name();
    ExperimentController controller =
        new ExperimentController(
                store,
                tracked,
                workDir,
                clock,
                new ExperimentController.Progress() {
                  @Override
                  public void note(String message) {
                    log.accept("experiment " + at + ": " + message);
                  }
                })
            .pipelines(engine);
    try {
      r.future =
          pool.submit(
              () -> {
                try {
                  ObjectNode done = controller.run(e);
                  JsonNode conds = done.at("/status/conditions");
                  log.accept(
                      "experiment "
                          + at
                          + " "
                          + conds.path(conds.size() - 1).path("type").asText("ended"));
                } catch (InterruptedException x) {
                  log.accept("experiment " + at + " stopped");
                } catch (Throwable x) {
                  r.failure = x;
                  if (!(x instanceof ConflictException)) {
                    log.accept("experiment " + at + " failed: " + x);
                  }
                } finally {
                  running.remove(key, r);
                  r.done.countDown();
                }
              });
    } catch (RejectedExecutionException x) {
      running.remove(key, r);
      throw new ApiError(
          429,
          ApiError.RESOURCE_EXHAUSTED,
          "this server runs at most "
              + maxRunning
              + " experiments at once; try again when one has ended",
          List.of());
    }
    return r;
  }

  /** Stops the experiment's controller and cancels its trials; false when it was not running. */
  private boolean stop(String key, long waitMs) throws InterruptedException {
    Running r = running.get(key);
    if (r == null) {
      return false;
    }
    long deadline = System.currentTimeMillis() + waitMs;
    while (r.future == null && System.currentTimeMillis() < deadline) {
      Thread.sleep(5); // submitted a moment ago
    }
    if (r.future != null) {
      r.future.cancel(true);
    }
    r.done.await(Math.max(0, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
    r.workloads.forEach(Workload::cancel); // queued ones never start
    return true;
  }

  /** Stops every running experiment's controller; they stay unfinished, for the next start. */
  @Override
  public void close() {
    pool.shutdownNow();
    try {
      pool.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ------------------------------------------------------------------ helpers

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }

  private static boolean ended(JsonNode doc) {
    for (JsonNode c : doc.at("/status/conditions")) {
      String type = c.path("type").asText();
      if ((type.equals("Succeeded") || type.equals("Failed"))
          && c.path("status").asText().equals("True")) {
        return true;
      }
    }
    return false;
  }

  /** The stored document with the metadata Kubernetes fills in from the record. */
  private static ObjectNode document(ResourceRecord r) {
    ObjectNode d = (ObjectNode) Json.parse(r.document());
    ObjectNode m = d.with("metadata");
    if (!m.hasNonNull("uid")) {
      m.put("uid", r.uid());
    }
    if (!m.hasNonNull("creationTimestamp")) {
      m.put("creationTimestamp", r.createdAt().toString());
    }
    m.put("resourceVersion", Long.toString(r.resourceVersion()));
    return d;
  }

  private static ObjectNode body(Context ctx) {
    String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
    boolean isJson = type.startsWith("application/json");
    JsonNode doc;
    try {
      doc = isJson ? Json.json().readTree(ctx.body()) : Json.yaml().readTree(ctx.body());
    } catch (Exception e) {
      throw ApiError.badRequest(
          "body", "not " + (isJson ? "JSON" : "YAML") + ": " + firstLine(e.getMessage()));
    }
    if (doc == null || !doc.isObject()) {
      throw ApiError.badRequest("body", "must be an Experiment document (an object)");
    }
    return (ObjectNode) doc;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** An equality-based label selector: {@code a=b,c==d,e!=f}. */
  static Map<String, String> selector(String given) {
    Map<String, String> out = new LinkedHashMap<>();
    if (given == null || given.isBlank()) {
      return out;
    }
    for (String term : given.split(",")) {
      String t = term.strip();
      int ne = t.indexOf("!=");
      int eq = t.indexOf('=');
      if (ne > 0) {
        out.put(t.substring(0, ne).strip(), "!" + t.substring(ne + 2).strip());
      } else if (eq > 0) {
        String v = t.substring(eq + 1);
        out.put(t.substring(0, eq).strip(), "=" + (v.startsWith("=") ? v.substring(1) : v).strip());
      } else {
        throw new ValidationException(
            new Problem(
                "labelSelector",
                "'"
                    + t
                    + "' is not key=value or key!=value (set-based selectors are not supported)"));
      }
    }
    return out;
  }

  private static boolean matches(JsonNode doc, Map<String, String> selector) {
    JsonNode labels = doc.at("/metadata/labels");
    for (Map.Entry<String, String> s : selector.entrySet()) {
      JsonNode v = labels.get(s.getKey());
      String want = s.getValue().substring(1);
      boolean equal = v != null && v.asText().equals(want);
      if (s.getValue().charAt(0) == '=' ? !equal : equal) {
        return false;
      }
    }
    return true;
  }

  private static ApiError notFound(String kind, String namespace, String name) {
    String plural = kind.toLowerCase(Locale.ROOT) + "s";
    return ApiError.notFound(plural + ".kubeflow.org \"" + name + "\" not found in " + namespace);
  }

  private static ApiError exists(String namespace, String name) {
    return new ApiError(
        409,
        ApiError.ALREADY_EXISTS,
        "experiments.kubeflow.org \""
            + name
            + "\" already exists in "
            + namespace
            + "; delete it or give the new one another metadata.name",
        List.of());
  }
}
