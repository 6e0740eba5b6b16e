package dev.keel.server;

import static dev.keel.server.KeelServer.json;
import static dev.keel.server.KeelServer.principal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.access.Access;
import dev.keel.access.Action;
import dev.keel.access.Authenticator;
import dev.keel.access.Principal;
import dev.keel.core.Ids;
import dev.keel.core.Json;
import dev.keel.core.Problem;
import dev.keel.core.ValidationException;
import dev.keel.pipelines.KfpJson;
import dev.keel.pipelines.PipelineEngine;
import dev.keel.pipelines.RunRequest;
import dev.keel.pipelines.RunState;
import dev.keel.pipelines.spec.PipelineDocument;
import dev.keel.pipelines.spec.PipelineSpecReader;
import dev.keel.pipelines.spec.PipelineSpecWriter;
import dev.keel.pipelines.spec.PipelineValidator;
import dev.keel.server.ui.ArtifactFiles;
import dev.keel.server.ui.Dashboard;
import dev.keel.store.ArtifactRecord;
import dev.keel.store.ExperimentRecord;
import dev.keel.store.Page;
import dev.keel.store.PipelineRecord;
import dev.keel.store.PipelineVersionRecord;
import dev.keel.store.RunRecord;
import dev.keel.store.Runs;
import dev.keel.store.Store;
import dev.keel.store.TaskRecord;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The KFP v2beta1 REST API (what {@code kfp.Client} calls): pipelines and their versions,
 * experiments, runs, artifacts and task logs, with KFP's field names (snake_case), enums,
 * pagination, filters and error codes. Runs execute on the server's own engine.
 *
 * <p>Namespaces: an experiment belongs to one, and its runs inherit it; a pipeline without one is
 * shared. Each route checks the caller's role in the namespace it touches.
 */
final class KfpApi {
  private static final String V2 = "/apis/v2beta1";
  private static final int DEFAULT_PAGE = 20;
  private static final int MAX_PAGE = 200;

  /** Largest artifact {@code :read} returns inline, as KFP's API server also caps it. */
  private static final long MAX_ARTIFACT_BYTES = 16 << 20;

  private static final Set<String> RUN_FIELDS =
      Set.of(
          "run_id",
          "display_name",
          "created_at",
          "finished_at",
          "scheduled_at",
          "description",
          "storage_state",
          "namespace",
          "experiment_id",
          "state",
          "recurring_run_id");
  private static final Set<String> EXPERIMENT_FIELDS =
      Set.of(
          "experiment_id",
          "display_name",
          "created_at",
          "last_run_created_at",
          "description",
          "namespace",
          "storage_state");
  private static final Set<String> PIPELINE_FIELDS =
      Set.of("pipeline_id", "display_name", "name", "created_at", "description", "namespace");
  private static final Set<String> VERSION_FIELDS =
      Set.of("pipeline_version_id", "display_name", "name", "created_at", "description");

  private final Store store;
  private final PipelineEngine engine;
  private final Access access;
  private final Clock clock;
  private final String version;
  private final Authenticator.Mode mode;

  KfpApi(
      Store store,
      PipelineEngine engine,
      Access access,
      Clock clock,
      String version,
      Authenticator.Mode mode) {
    this.store = store;
    this.engine = engine;
    this.access = access;
    this.clock = clock;
    this.version = version;
    this.mode = mode;
  }

  void register(RoutesConfig r) {
    r.get(V2 + "/healthz", this::healthz);

    r.post(V2 + "/pipelines", this::createPipeline);
    r.post(V2 + "/pipelines/upload", this::uploadPipeline);
    r.post(V2 + "/pipelines/upload_version", this::uploadVersion);
    r.get(V2 + "/pipelines", this::listPipelines);
    r.get(V2 + "/pipelines/{pipeline_id}", this::getPipeline);
    r.delete(V2 + "/pipelines/{pipeline_id}", this::deletePipeline);
    r.get(V2 + "/pipelines/{pipeline_id}/versions", this::listVersions);
    r.get(V2 + "/pipelines/{pipeline_id}/versions/{version_id}", this::getVersion);
    r.delete(V2 + "/pipelines/{pipeline_id}/versions/{version_id}", this::deleteVersion);

    r.post(V2 + "/experiments", this::createExperiment);
    r.get(V2 + "/experiments", this::listExperiments);
    r.get(V2 + "/experiments/{experiment_id}", this::getExperiment);
    r.post(V2 + "/experiments/{action}", this::experimentAction);
    r.delete(V2 + "/experiments/{experiment_id}", this::deleteExperiment);

    r.post(V2 + "/runs", this::createRun);
    r.get(V2 + "/runs", this::listRuns);
    r.get(V2 + "/runs/{run_id}", this::getRun);
    r.post(V2 + "/runs/{action}", this::runAction);
    r.delete(V2 + "/runs/{run_id}", this::deleteRun);
    r.get(V2 + "/runs/{run_id}/nodes/{node_id}/artifacts/{action}", this::readArtifact);
    r.get("/apis/v1alpha1/runs/{run_id}/nodes/{node_id}/log", this::taskLog);
  }

  // ------------------------------------------------------------------ health

  private void healthz(Context ctx) {
    ObjectNode n = Json.json().createObjectNode();
    n.put("commit_sha", "unknown");
    n.put("tag_name", version);
    n.put("multi_user", mode != Authenticator.Mode.TOKEN);
    n.put("pipeline_store", "database");
    json(ctx, n);
  }

  // ------------------------------------------------------------------ pipelines

  /** A pipeline with no version yet (versions come with upload_version). */
  private void createPipeline(Context ctx) {
    JsonNode body = body(ctx, Set.of("display_name", "name", "description", "namespace", "tags"));
    String displayName = body.path("display_name").asText(body.path("name").asText(""));
    if (displayName.isBlank()) {
      throw ApiError.badRequest("display_name", "a pipeline needs a display_name or a name");
    }
    String namespace = shared(body.path("namespace").asText(null));
    check(ctx, namespace, Action.WRITE);
    PipelineRecord p =
        new PipelineRecord(
            Ids.newId(),
            namespace,
            body.path("name").asText(displayName),
            displayName,
            body.path("description").asText(null),
            clock.instant());
    store.pipelines().insert(p);
    json(ctx, pipelineJson(p));
  }

  private void uploadPipeline(Context ctx) {
    String namespace = shared(ctx.queryParam("namespace"));
    check(ctx, namespace, Action.WRITE);
    UploadedFile file = uploaded(ctx);
    PipelineDocument doc = readPackage(file);
    String displayName =
        first(ctx.queryParam("display_name"), ctx.queryParam("name"), baseName(file.filename()));
    json(
        ctx,
        pipelineJson(
            createPipeline(
                namespace,
                first(ctx.queryParam("name"), displayName),
                displayName,
                ctx.queryParam("description"),
                doc)));
  }

  /** Stores a new pipeline with its first version. */
  private PipelineRecord createPipeline(
      String namespace, String name, String displayName, String description, PipelineDocument doc) {
    Instant now = clock.instant();
    PipelineRecord p =
        new PipelineRecord(Ids.newId(), namespace, name, displayName, description, now);
    store.pipelines().insert(p);
    store.versions().insert(version(p.id(), name, displayName, description, doc, now));
    return p;
  }

  private void uploadVersion(Context ctx) {
    String pipelineId = ctx.queryParam("pipelineid");
    if (pipelineId == null || pipelineId.isBlank()) {
      throw ApiError.badRequest("pipelineid", "the pipeline to add a version to is required");
    }
    PipelineRecord p = pipeline(pipelineId);
    check(ctx, p.namespace(), Action.WRITE);
    UploadedFile file = uploaded(ctx);
    PipelineDocument doc = readPackage(file);
    String displayName =
        first(ctx.queryParam("display_name"), ctx.queryParam("name"), baseName(file.filename()));
    PipelineVersionRecord v =
        version(
            p.id(),
            first(ctx.queryParam("name"), displayName),
            displayName,
            ctx.queryParam("description"),
            doc,
            clock.instant());
    store.versions().insert(v);
    json(ctx, versionJson(v, false));
  }

  private static PipelineVersionRecord version(
      String pipelineId,
      String name,
      String displayName,
      String description,
      PipelineDocument doc,
      Instant now) {
    return new PipelineVersionRecord(
        Ids.newId(),
        pipelineId,
        name,
        displayName,
        description,
        Json.write(PipelineSpecWriter.toTree(doc.spec())),
        doc.platform() == null ? null : Json.write(PipelineSpecWriter.toTree(doc.platform())),
        now);
  }

  private UploadedFile uploaded(Context ctx) {
    UploadedFile file = ctx.uploadedFile("uploadfile");
    if (file == null) {
      throw ApiError.badRequest("uploadfile", "no file in the multipart form field 'uploadfile'");
    }
    if (file.size() > PipelinePackages.MAX_BYTES) {
      throw new ApiError(
          413,
          ApiError.RESOURCE_EXHAUSTED,
          "uploadfile: the package is larger than 32 MiB",
          List.of(new Problem("uploadfile", "larger than 32 MiB")));
    }
    return file;
  }

  private static PipelineDocument readPackage(UploadedFile file) {
    byte[] bytes;
    try (InputStream in = file.content()) {
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw ApiError.badRequest("uploadfile", "cannot read the upload: " + e.getMessage());
    }
    PipelineDocument doc = PipelinePackages.read(file.filename(), bytes);
    validate(doc, "uploadfile");
    return doc;
  }

  private static void validate(PipelineDocument doc, String at) {
    List<Problem> problems = PipelineValidator.validate(doc);
    if (!problems.isEmpty()) {
      throw new ValidationException(
          problems.stream().map(p -> new Problem(at + "." + p.path(), p.reason())).toList());
    }
  }

  private void listPipelines(Context ctx) {
    String namespace = shared(ctx.queryParam("namespace"));
    check(ctx, namespace, Action.READ);
    KfpFilter filter = KfpFilter.parse(ctx.queryParam("filter"), PIPELINE_FIELDS);
    sortable(ctx);
    json(
        ctx,
        page(
            "pipelines",
            token -> store.pipelines().list(namespace, pageSize(ctx), token),
            this::pipelineJson,
            filter,
            ctx));
  }

  private void getPipeline(Context ctx) {
    PipelineRecord p = pipeline(ctx.pathParam("pipeline_id"));
    check(ctx, p.namespace(), Action.READ);
    json(ctx, pipelineJson(p));
  }

  private void deletePipeline(Context ctx) {
    PipelineRecord p = pipeline(ctx.pathParam("pipeline_id"));
    check(ctx, p.namespace(), Action.WRITE);
    boolean cascade = "true".equalsIgnoreCase(ctx.queryParam("cascade"));
    if (!cascade && store.versions().latest(p.id()).isPresent()) {
      throw ApiError.failedPrecondition(
          "pipeline " + p.id() + " has versions: delete them first, or pass cascade=true");
    }
    store.pipelines().delete(p.id());
    json(ctx, Json.json().createObjectNode());
  }

  private void listVersions(Context ctx) {
    PipelineRecord p = pipeline(ctx.pathParam("pipeline_id"));
    check(ctx, p.namespace(), Action.READ);
    KfpFilter filter = KfpFilter.parse(ctx.queryParam("filter"), VERSION_FIELDS);
    sortable(ctx);
    json(
        ctx,
        page(
            "pipeline_versions",
            token -> store.versions().list(p.id(), pageSize(ctx), token),
            v -> versionJson(v, false),
            filter,
            ctx));
  }

  private void getVersion(Context ctx) {
    PipelineRecord p = pipeline(ctx.pathParam("pipeline_id"));
    check(ctx, p.namespace(), Action.READ);
    json(ctx, versionJson(version(p.id(), ctx.pathParam("version_id")), true));
  }

  private void deleteVersion(Context ctx) {
    PipelineRecord p = pipeline(ctx.pathParam("pipeline_id"));
    check(ctx, p.namespace(), Action.WRITE);
    store.versions().delete(version(p.id(), ctx.pathParam("version_id")).id());
    json(ctx, Json.json().createObjectNode());
  }

  private PipelineRecord pipeline(String id) {
    return store.pipelines().get(id).orElseThrow(() -> ApiError.notFound("no pipeline " + id));
  }

  private PipelineVersionRecord version(String pipelineId, String versionId) {
    return store
        .versions()
        .get(versionId)
        .filter(v -> v.pipelineId().equals(pipelineId))
        .orElseThrow(
            () -> ApiError.notFound("pipeline " + pipelineId + " has no version " + versionId));
  }

  private ObjectNode pipelineJson(PipelineRecord p) {
    ObjectNode n = Json.json().createObjectNode();
    n.put("pipeline_id", p.id());
    n.put("display_name", p.displayName());
    n.put("name", p.name());
    putIfSet(n, "description", p.description());
    n.put("created_at", p.createdAt().toString());
    putIfSet(n, "namespace", p.namespace());
    return n;
  }

  private static ObjectNode versionJson(PipelineVersionRecord v, boolean withSpec) {
    ObjectNode n = Json.json().createObjectNode();
    n.put("pipeline_id", v.pipelineId());
    n.put("pipeline_version_id", v.id());
    n.put("display_name", v.displayName());
    n.put("name", v.name());
    putIfSet(n, "description", v.description());
    n.put("created_at", v.createdAt().toString());
    if (withSpec) {
      n.set("pipeline_spec", specTree(v));
    }
    return n;
  }

  /** The stored spec as KFP returns it: the IR, wrapped with its platform spec when it has one. */
  private static JsonNode specTree(PipelineVersionRecord v) {
    JsonNode spec = Json.parse(v.pipelineSpec());
    if (v.platformSpec() == null) {
      return spec;
    }
    ObjectNode both = Json.json().createObjectNode();
    both.set("pipeline_spec", spec);
    both.set("platform_spec", Json.parse(v.platformSpec()));
    return both;
  }

  // ------------------------------------------------------------------ experiments

  private void createExperiment(Context ctx) {
    JsonNode body = body(ctx, Set.of("display_name", "description", "namespace"));
    json(
        ctx,
        experimentJson(
            createExperiment(
                principal(ctx),
                namespace(body.path("namespace").asText(null)),
                body.path("display_name").asText(""),
                body.path("description").asText(null))));
  }

  /** Makes an experiment in {@code namespace}, for the API and the pages. */
  ExperimentRecord createExperiment(
      Principal who, String namespace, String displayName, String description) {
    if (displayName == null || displayName.isBlank()) {
      throw ApiError.badRequest("display_name", "an experiment needs a display_name");
    }
    access.check(who, namespace, Action.WRITE);
    ExperimentRecord e =
        new ExperimentRecord(
            Ids.newId(), namespace, displayName, description, "AVAILABLE", clock.instant(), null);
    store.experiments().insert(e);
    return store.experiments().get(e.id()).orElse(e);
  }

  private void listExperiments(Context ctx) {
    String namespace = namespace(ctx.queryParam("namespace"));
    check(ctx, namespace, Action.READ);
    KfpFilter filter = KfpFilter.parse(ctx.queryParam("filter"), EXPERIMENT_FIELDS);
    sortable(ctx);
    json(
        ctx,
        page(
            "experiments",
            token -> store.experiments().list(namespace, pageSize(ctx), token),
            KfpApi::experimentJson,
            filter,
            ctx));
  }

  private void getExperiment(Context ctx) {
    ExperimentRecord e = experiment(ctx.pathParam("experiment_id"));
    check(ctx, e.namespace(), Action.READ);
    json(ctx, experimentJson(e));
  }

  private void experimentAction(Context ctx) {
    String[] idAction = idAction(ctx.pathParam("action"));
    experimentAction(principal(ctx), idAction[0], idAction[1]);
    json(ctx, Json.json().createObjectNode());
  }

  /** An experiment's custom method ({@code :archive}, {@code :unarchive}), for API and pages. */
  void experimentAction(Principal who, String experimentId, String action) {
    ExperimentRecord e = experiment(experimentId);
    access.check(who, e.namespace(), Action.WRITE);
    switch (action) {
      case "archive" -> {
        store.experiments().setStorageState(e.id(), "ARCHIVED");
        archiveRunsOf(e.id());
      }
      case "unarchive" -> store.experiments().setStorageState(e.id(), "AVAILABLE");
      default -> throw ApiError.notFound("no experiment action ':" + action + "'");
    }
  }

  /** Archiving an experiment archives its runs, as KFP does. */
  private void archiveRunsOf(String experimentId) {
    String token = "";
    do {
      Page<RunRecord> page = store.runs().list(null, experimentId, MAX_PAGE, token);
      for (RunRecord r : page.items()) {
        store.runs().setStorageState(r.id(), "ARCHIVED");
      }
      token = page.nextPageToken();
    } while (!token.isEmpty());
  }

  private void deleteExperiment(Context ctx) {
    ExperimentRecord e = experiment(ctx.pathParam("experiment_id"));
    check(ctx, e.namespace(), Action.WRITE);
    store.experiments().delete(e.id());
    json(ctx, Json.json().createObjectNode());
  }

  private ExperimentRecord experiment(String id) {
    return store.experiments().get(id).orElseThrow(() -> ApiError.notFound("no experiment " + id));
  }

  private static ObjectNode experimentJson(ExperimentRecord e) {
    ObjectNode n = Json.json().createObjectNode();
    n.put("experiment_id", e.id());
    n.put("display_name", e.displayName());
    putIfSet(n, "description", e.description());
    n.put("created_at", e.createdAt().toString());
    n.put("namespace", e.namespace());
    n.put("storage_state", e.storageState());
    if (e.lastRunCreatedAt() != null) {
      n.put("last_run_created_at", e.lastRunCreatedAt().toString());
    }
    return n;
  }

  // ------------------------------------------------------------------ runs

  private void createRun(Context ctx) {
    JsonNode body =
        body(
            ctx,
            Set.of(
                "display_name",
                "description",
                "experiment_id",
                "pipeline_spec",
                "pipeline_version_reference",
                "pipeline_version_id",
                "runtime_config",
                "service_account"));
    String experimentId = body.path("experiment_id").asText("");
    String namespace;
    if (!experimentId.isEmpty()) {
      namespace = experiment(experimentId).namespace();
    } else {
      namespace = namespace(ctx.queryParam("namespace"));
    }
    check(ctx, namespace, Action.WRITE);
    String versionId = null;
    PipelineDocument doc;
    if (body.hasNonNull("pipeline_spec")) {
      doc = readSpec(body.get("pipeline_spec"));
    } else {
      PipelineVersionRecord v = versionFor(body);
      PipelineRecord p = pipeline(v.pipelineId());
      check(ctx, p.namespace(), Action.READ);
      versionId = v.id();
      doc = readSpec(specTree(v));
    }
    Map<String, JsonNode> params = new LinkedHashMap<>();
    JsonNode rc = body.path("runtime_config");
    for (Iterator<String> it = rc.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!f.equals("parameters") && !f.equals("pipeline_root")) {
        throw ApiError.badRequest("runtime_config." + f, "unknown field");
      }
    }
    rc.path("parameters").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue()));
    String displayName = body.path("display_name").asText(null);
    String runId;
    try {
      runId =
          engine.submit(
              new RunRequest(
                  doc,
                  params,
                  namespace,
                  displayName,
                  experimentId.isEmpty() ? null : experimentId,
                  versionId));
    } catch (ValidationException e) {
      throw new ValidationException(
          e.problems().stream()
              .map(
                  p ->
                      new Problem(
                          "runtime_config."
                              + (p.path().startsWith("parameters.") ? "" : "parameters.")
                              + p.path(),
                          p.reason()))
              .toList());
    }
    json(ctx, runJson(run(runId), true));
  }

  /** The version a body's {@code pipeline_version_reference} names (its pipeline's latest). */
  PipelineVersionRecord versionFor(JsonNode body) {
    JsonNode ref = body.path("pipeline_version_reference");
    String pipelineId = ref.path("pipeline_id").asText("");
    String versionId =
        ref.path("pipeline_version_id").asText(body.path("pipeline_version_id").asText(""));
    if (!versionId.isEmpty()) {
      return store
          .versions()
          .get(versionId)
          .orElseThrow(() -> ApiError.notFound("no pipeline version " + versionId));
    }
    if (!pipelineId.isEmpty()) {
      return store
          .versions()
          .latest(pipelineId)
          .orElseThrow(() -> ApiError.notFound("pipeline " + pipelineId + " has no versions"));
    }
    throw ApiError.badRequest("pipeline_spec", "give pipeline_spec or pipeline_version_reference");
  }

  /** The namespace of an experiment, which its runs and recurring runs inherit. */
  String experimentNamespace(String experimentId) {
    return experiment(experimentId).namespace();
  }

  static PipelineDocument readSpec(JsonNode tree) {
    PipelineDocument doc;
    try {
      doc = PipelineSpecReader.fromTree(tree);
    } catch (ValidationException e) {
      throw new ValidationException(
          e.problems().stream()
              .map(p -> new Problem("pipeline_spec." + p.path(), p.reason()))
              .toList());
    }
    validate(doc, "pipeline_spec");
    return doc;
  }

  private void listRuns(Context ctx) {
    String experimentId = ctx.queryParam("experiment_id");
    String namespace;
    if (experimentId != null && !experimentId.isEmpty()) {
      namespace = experiment(experimentId).namespace();
    } else if (ctx.queryParam("namespace") != null && !ctx.queryParam("namespace").isEmpty()) {
      namespace = ctx.queryParam("namespace");
      experimentId = null;
    } else if (principal(ctx).clusterAdmin()) {
      namespace = null; // every namespace
      experimentId = null;
    } else {
      throw ApiError.badRequest("namespace", "listing runs needs a namespace or an experiment_id");
    }
    if (namespace != null) {
      check(ctx, namespace, Action.READ);
    }
    KfpFilter filter = KfpFilter.parse(ctx.queryParam("filter"), RUN_FIELDS);
    Runs.Sort sort = runSort(ctx.queryParam("sort_by"));
    String ns = namespace;
    String exp = experimentId;
    json(
        ctx,
        page(
            "runs",
            token -> store.runs().list(ns, exp, pageSize(ctx), token, sort),
            r -> runJson(r, false),
            filter,
            ctx));
  }

  private void getRun(Context ctx) {
    RunRecord r = run(ctx.pathParam("run_id"));
    check(ctx, r.namespace(), Action.READ);
    json(ctx, runJson(r, true));
  }

  private void runAction(Context ctx) {
    String[] idAction = idAction(ctx.pathParam("action"));
    act(principal(ctx), idAction[0], idAction[1]);
    json(ctx, Json.json().createObjectNode());
  }

  /** A run's custom method ({@code :terminate}, {@code :retry}, ...), for the API and the pages. */
  private void act(Principal who, String runId, String action) {
    RunRecord r = run(runId);
    access.check(who, r.namespace(), Action.WRITE);
    switch (action) {
      case "terminate" -> engine.terminate(r.id());
      case "retry" -> engine.retry(r.id());
      case "archive" -> store.runs().setStorageState(r.id(), "ARCHIVED");
      case "unarchive" -> store.runs().setStorageState(r.id(), "AVAILABLE");
      default -> throw ApiError.notFound("no run action ':" + action + "'");
    }
  }

  /** What the dashboard does to runs, through the code the API runs. */
  Dashboard.RunActions dashboardActions() {
    return new Dashboard.RunActions() {
      @Override
      public void act(Principal who, String runId, String action) {
        KfpApi.this.act(who, runId, action);
      }

      @Override
      public String upload(
          Principal who,
          String namespace,
          String name,
          String description,
          String filename,
          byte[] content) {
        if (!namespace.isEmpty()) {
          access.check(who, namespace, Action.WRITE);
        }
        if (content.length > PipelinePackages.MAX_BYTES) {
          throw new ValidationException(new Problem("uploadfile", "larger than 32 MiB"));
        }
        PipelineDocument doc;
        try {
          doc = PipelinePackages.read(filename, content);
        } catch (ApiError e) {
          throw new ValidationException(new Problem("uploadfile", e.getMessage()));
        }
        validate(doc, "uploadfile");
        String display = first(name, baseName(filename));
        return createPipeline(namespace, display, display, description, doc).id();
      }

      @Override
      public String start(Principal who, String namespace, String versionId, String displayName) {
        return start(who, namespace, versionId, null, displayName, Map.of());
      }

      @Override
      public String start(
          Principal who,
          String namespace,
          String versionId,
          String fromRunId,
          String displayName,
          Map<String, JsonNode> parameters) {
        access.check(who, namespace, Action.WRITE);
        if (versionId == null) {
          RunRecord from = run(fromRunId);
          access.check(who, from.namespace(), Action.READ);
          PipelineDocument doc = readSpec(PipelineEngine.pipelineTree(from));
          return engine.submit(
              new RunRequest(
                  doc,
                  parameters,
                  namespace,
                  displayName,
                  null,
                  from.pipelineVersionId() == null
                          || store.versions().get(from.pipelineVersionId()).isEmpty()
                      ? null
                      : from.pipelineVersionId()));
        }
        PipelineVersionRecord v =
            store
                .versions()
                .get(versionId)
                .orElseThrow(() -> ApiError.notFound("no pipeline version " + versionId));
        PipelineRecord p = pipeline(v.pipelineId());
        if (!p.namespace().isEmpty()) {
          access.check(who, p.namespace(), Action.READ);
        }
        PipelineDocument doc = readSpec(specTree(v));
        return engine.submit(new RunRequest(doc, parameters, namespace, displayName, null, v.id()));
      }

      @Override
      public Path artifactDir(RunRecord run) {
        return engine.artifactDir(run);
      }
    };
  }

  private void deleteRun(Context ctx) {
    RunRecord r = run(ctx.pathParam("run_id"));
    check(ctx, r.namespace(), Action.WRITE);
    if (!RunState.valueOf(r.state()).isTerminal()) {
      throw ApiError.failedPrecondition(
          "run " + r.id() + " is " + r.state() + ": terminate it before deleting it");
    }
    store.runs().delete(r.id());
    json(ctx, Json.json().createObjectNode());
  }

  private RunRecord run(String id) {
    return store.runs().get(id).orElseThrow(() -> ApiError.notFound("no run " + id));
  }

  private ObjectNode runJson(RunRecord r, boolean withTasks) {
    List<TaskRecord> tasks = withTasks ? store.tasks().listByRun(r.id()) : List.of();
    return KfpJson.run(r, tasks, withTasks);
  }

  // ------------------------------------------------------------------ artifacts and logs

  private void readArtifact(Context ctx) {
    RunRecord r = run(ctx.pathParam("run_id"));
    check(ctx, r.namespace(), Action.READ);
    String action = ctx.pathParam("action");
    if (!action.endsWith(":read")) {
      throw ApiError.notFound("no artifact action in '" + action + "'");
    }
    String name = action.substring(0, action.length() - ":read".length());
    TaskRecord t = task(r, ctx.pathParam("node_id"));
    ArtifactRecord a =
        store.artifacts().listByTask(t.id()).stream()
            .filter(x -> x.name().equals(name))
            .findFirst()
            .orElseThrow(() -> ApiError.notFound("task " + t.path() + " has no artifact " + name));
    // only a regular file under the run's own artifact folder is served, links resolved
    ArtifactFiles.Found found = ArtifactFiles.resolve(a.uri(), engine.artifactDir(r));
    if (!found.ok()) {
      throw ApiError.failedPrecondition("artifact " + name + ": " + found.problem());
    }
    Path file = found.file();
    try {
      if (Files.size(file) > MAX_ARTIFACT_BYTES) {
        throw ApiError.failedPrecondition(
            "artifact " + name + " is larger than " + (MAX_ARTIFACT_BYTES >> 20) + " MiB");
      }
      json(
          ctx,
          Json.json()
              .createObjectNode()
              .put("data", Base64.getEncoder().encodeToString(Files.readAllBytes(file))));
    } catch (IOException e) {
      throw ApiError.failedPrecondition("cannot read artifact " + name + ": " + e.getMessage());
    }
  }

  private void taskLog(Context ctx) {
    RunRecord r = run(ctx.pathParam("run_id"));
    check(ctx, r.namespace(), Action.READ);
    TaskRecord t = task(r, ctx.pathParam("node_id"));
    if (t.logPath() == null || !Files.isRegularFile(Path.of(t.logPath()))) {
      throw ApiError.notFound("task " + t.path() + " has no log (it ran no process)");
    }
    try {
      ctx.contentType("text/plain; charset=utf-8")
          .result(Files.newInputStream(Path.of(t.logPath())));
    } catch (IOException e) {
      throw ApiError.failedPrecondition("cannot read the log: " + e.getMessage());
    }
  }

  /** A task of the run by id or by path (KFP's node id is a task id). */
  private TaskRecord task(RunRecord r, String node) {
    return store.tasks().listByRun(r.id()).stream()
        .filter(t -> t.id().equals(node) || t.path().equals(node))
        .findFirst()
        .orElseThrow(() -> ApiError.notFound("run " + r.id() + " has no task " + node));
  }

  // ------------------------------------------------------------------ helpers

  private void check(Context ctx, String namespace, Action action) {
    Principal p = principal(ctx);
    if (namespace == null || namespace.isEmpty()) {
      // shared pipelines: any signed-in user reads and adds them, as in KFP
      return;
    }
    access.check(p, namespace, action);
  }

  static String namespace(String given) {
    return given == null || given.isBlank() ? "default" : given;
  }

  /** A pipeline's namespace: none means shared. */
  private static String shared(String given) {
    return given == null ? "" : given;
  }

  static int pageSize(Context ctx) {
    String s = ctx.queryParam("page_size");
    if (s == null || s.isBlank()) {
      return DEFAULT_PAGE;
    }
    try {
      int n = Integer.parseInt(s.strip());
      if (n < 0) {
        throw ApiError.badRequest("page_size", "must not be negative, was " + n);
      }
      return n == 0 ? DEFAULT_PAGE : Math.min(n, MAX_PAGE);
    } catch (NumberFormatException e) {
      throw ApiError.badRequest("page_size", "'" + s + "' is not a number");
    }
  }

  /**
   * A run listing's order from KFP's {@code sort_by}: {@code "field"}, {@code "field asc"} or
   * {@code "field desc"} (ascending by default); newest first when absent.
   */
  static Runs.Sort runSort(String sortBy) {
    if (sortBy == null || sortBy.isBlank()) {
      return Runs.Sort.NEWEST_FIRST;
    }
    String[] parts = sortBy.strip().split("\\s+");
    String field =
        switch (parts[0]) {
          case "name" -> "display_name";
          case "id" -> "run_id";
          case "status" -> "state";
          default -> parts[0];
        };
    if (!Runs.Sort.COLUMNS.contains(field)) {
      throw ApiError.badRequest(
          "sort_by",
          "runs do not sort by '"
              + parts[0]
              + "'; use one of "
              + new java.util.TreeSet<>(Runs.Sort.COLUMNS));
    }
    if (parts.length > 2
        || (parts.length == 2
            && !parts[1].equalsIgnoreCase("asc")
            && !parts[1].equalsIgnoreCase("desc"))) {
      throw ApiError.badRequest(
          "sort_by", "'" + sortBy + "' is not 'field', 'field asc' or 'field desc'");
    }
    return new Runs.Sort(field, parts.length == 2 && parts[1].equalsIgnoreCase("desc"));
  }

  /** Other lists come newest first; that is the one order there is an index for. */
  private static void sortable(Context ctx) {
    String s = ctx.queryParam("sort_by");
    if (s == null || s.isBlank() || s.strip().equalsIgnoreCase("created_at desc")) {
      return;
    }
    throw ApiError.badRequest(
        "sort_by", "'" + s + "' is not supported; lists are 'created_at desc'");
  }

  /**
   * One page of a listing: the store's page, or with a filter as many store pages as it takes to
   * fill one (the token then resumes after the last row looked at).
   */
  private static <T> ObjectNode page(
      String field,
      Function<String, Page<T>> fetch,
      Function<T, ObjectNode> toJson,
      KfpFilter filter,
      Context ctx) {
    String token = ctx.queryParam("page_token");
    token = token == null ? "" : token;
    int size = pageSize(ctx);
    ObjectNode out = Json.json().createObjectNode();
    ArrayNode items = out.putArray(field);
    Page<T> page;
    try {
      page = fetch.apply(token);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("page_token", "not a token this server handed out");
    }
    if (filter.isEmpty()) {
      page.items().forEach(i -> items.add(toJson.apply(i)));
      out.put("total_size", page.totalSize());
      out.put("next_page_token", page.nextPageToken());
      return out;
    }
    List<ObjectNode> found = new ArrayList<>();
    while (true) {
      for (T i : page.items()) {
        ObjectNode n = toJson.apply(i);
        if (filter.matches(n)) {
          found.add(n);
        }
      }
      if (found.size() >= size || page.nextPageToken().isEmpty()) {
        break;
      }
      page = fetch.apply(page.nextPageToken());
    }
    found.forEach(items::add);
    out.put("next_page_token", page.nextPageToken());
    return out;
  }

  static JsonNode body(Context ctx, Set<String> known) {
    JsonNode body;
    try {
      body = ctx.body().isBlank() ? Json.json().createObjectNode() : Json.parse(ctx.body());
    } catch (RuntimeException e) {
      throw ApiError.badRequest("body", "not JSON: " + e.getMessage());
    }
    if (!body.isObject()) {
      throw ApiError.badRequest("body", "must be a JSON object");
    }
    List<Problem> unknown = new ArrayList<>();
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!known.contains(f)) {
        unknown.add(new Problem(f, "unknown field"));
      }
    }
    if (!unknown.isEmpty()) {
      throw new ValidationException(unknown);
    }
    return body;
  }

  /** {@code "<id>:<verb>"} of custom methods such as {@code /runs/{id}:terminate}. */
  static String[] idAction(String segment) {
    int colon = segment.lastIndexOf(':');
    if (colon <= 0) {
      throw ApiError.notFound("no route for '" + segment + "'");
    }
    return new String[] {segment.substring(0, colon), segment.substring(colon + 1)};
  }

  private static String first(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return "pipeline";
  }

  private static String baseName(String filename) {
    if (filename == null || filename.isBlank()) {
      return null;
    }
    String f = Path.of(filename).getFileName().toString();
    for (String ext : new String[] {".tar.gz", ".tgz", ".yaml", ".yml", ".json", ".zip"}) {
      if (f.toLowerCase().endsWith(ext)) {
        return f.substring(0, f.length() - ext.length());
      }
    }
    return f;
  }

  private static void putIfSet(ObjectNode n, String field, String value) {
    if (value != null && !value.isEmpty()) {
      n.put(field, value);
    }
  }
}
