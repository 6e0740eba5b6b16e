package dev.keel.server;

import static dev.keel.server.KeelServer.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.access.Access;
import dev.keel.access.Action;
import dev.keel.access.Principal;
import dev.keel.core.Json;
import dev.keel.pipelines.schedule.RecurringRunService;
import dev.keel.pipelines.spec.PipelineDocument;
import dev.keel.server.ui.AdminPages;
import dev.keel.store.ExperimentRecord;
import dev.keel.store.Page;
import dev.keel.store.PipelineVersionRecord;
import dev.keel.store.RecurringRunRecord;
import dev.keel.store.Store;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * KFP's recurring runs under {@code /apis/v2beta1/recurringruns}: create (cron or periodic trigger,
 * start and end times, {@code max_concurrency}, {@code no_catchup}, mode), list (under the
 * camelCase key {@code recurringRuns}, as KFP's proto names it), get, {@code :enable}, {@code
 * :disable} and delete. A Keel extension, {@code time_zone}, sets the zone a cron is read in (UTC
 * by default).
 */
final class RecurringRunsApi {
  private static final String BASE = "/apis/v2beta1/recurringruns";
  private static final Set<String> FIELDS =
      Set.of(
          "display_name",
          "description",
          "pipeline_spec",
          "pipeline_version_reference",
          "pipeline_version_id",
          "runtime_config",
          "service_account",
          "max_concurrency",
          "trigger",
          "mode",
          "no_catchup",
          "namespace",
          "experiment_id",
          "time_zone");

  private final Store store;
  private final Access access;
  private final RecurringRunService service;
  private final KfpApi kfp;

  RecurringRunsApi(Store store, Access access, RecurringRunService service, KfpApi kfp) {
    this.store = store;
    this.access = access;
    this.service = service;
    this.kfp = kfp;
  }

  void register(RoutesConfig r) {
    r.post(BASE, this::create);
    r.get(BASE, this::list);
    r.get(BASE + "/{id}", this::get);
    r.post(BASE + "/{action}", this::action);
    r.delete(BASE + "/{id}", this::delete);
  }

  private void create(Context ctx) {
    JsonNode body = KfpApi.body(ctx, FIELDS);
    String experimentId = body.path("experiment_id").asText("");
    String namespace =
        experimentId.isEmpty()
            ? KfpApi.namespace(body.path("namespace").asText(ctx.queryParam("namespace")))
            : kfp.experimentNamespace(experimentId);
    Principal who = KeelServer.principal(ctx);
    access.check(who, namespace, Action.WRITE);
    PipelineDocument doc = null;
    String versionId = null;
    if (body.hasNonNull("pipeline_spec")) {
      doc = KfpApi.readSpec(body.get("pipeline_spec"));
    } else {
      PipelineVersionRecord v = kfp.versionFor(body);
      versionId = v.id();
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
    JsonNode trigger = body.path("trigger");
    JsonNode cron = trigger.path("cron_schedule");
    JsonNode periodic = trigger.path("periodic_schedule");
    JsonNode window = cron.isObject() ? cron : periodic;
    String mode = body.path("mode").asText("ENABLE");
    if (!Set.of("ENABLE", "DISABLE", "MODE_UNSPECIFIED").contains(mode)) {
      throw ApiError.badRequest("mode", "'" + mode + "' is not ENABLE or DISABLE");
    }
    RecurringRunRecord made =
        create(
            who,
            new RecurringRunService.Spec(
                namespace,
                experimentId.isEmpty() ? null : experimentId,
                body.path("display_name").asText(""),
                body.path("description").asText(null),
                doc,
                versionId,
                params,
                cron.isObject() ? cron.path("cron").asText("") : null,
                periodic.isObject()
                    ? number(
                        periodic.get("interval_second"),
                        "trigger.periodic_schedule.interval_second")
                    : null,
                time(window.get("start_time"), "trigger.start_time"),
                time(window.get("end_time"), "trigger.end_time"),
                body.has("max_concurrency")
                    ? number(body.get("max_concurrency"), "max_concurrency").intValue()
                    : 1,
                body.path("no_catchup").asBoolean(false),
                !mode.equals("DISABLE"),
                body.path("time_zone").asText(null)));
    json(ctx, toJson(made));
  }

  /** Checks that {@code who} may change the namespace, then makes the recurring run. */
  private RecurringRunRecord create(Principal who, RecurringRunService.Spec spec) {
    access.check(who, spec.namespace(), Action.WRITE);
    if (spec.experimentId() != null
        && !kfp.experimentNamespace(spec.experimentId()).equals(spec.namespace())) {
      throw ApiError.badRequest(
          "experiment_id", "experiment " + spec.experimentId() + " is in another namespace");
    }
    return service.create(spec);
  }

  private void list(Context ctx) {
    String experimentId = ctx.queryParam("experiment_id");
    String namespace =
        experimentId != null && !experimentId.isEmpty()
            ? kfp.experimentNamespace(experimentId)
            : KfpApi.namespace(ctx.queryParam("namespace"));
    access.check(KeelServer.principal(ctx), namespace, Action.READ);
    Page<RecurringRunRecord> page;
    try {
      page =
          store
              .recurringRuns()
              .list(
                  namespace,
                  experimentId == null || experimentId.isEmpty() ? null : experimentId,
                  KfpApi.pageSize(ctx),
                  ctx.queryParam("page_token") == null ? "" : ctx.queryParam("page_token"));
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("page_token", "not a token this server handed out");
    }
    ObjectNode out = Json.json().createObjectNode();
    ArrayNode items = out.putArray("recurringRuns");
    page.items().forEach(r -> items.add(toJson(r)));
    out.put("total_size", page.totalSize());
    out.put("next_page_token", page.nextPageToken());
    json(ctx, out);
  }

  private void get(Context ctx) {
    RecurringRunRecord r = recurring(ctx.pathParam("id"));
    access.check(KeelServer.principal(ctx), r.namespace(), Action.READ);
    json(ctx, toJson(r));
  }

  private void action(Context ctx) {
    String[] idAction = KfpApi.idAction(ctx.pathParam("action"));
    act(KeelServer.principal(ctx), idAction[0], idAction[1]);
    json(ctx, Json.json().createObjectNode());
  }

  /** {@code :enable} or {@code :disable}, for the API and the pages. */
  private void act(Principal who, String id, String action) {
    RecurringRunRecord r = recurring(id);
    access.check(who, r.namespace(), Action.WRITE);
    switch (action) {
      case "enable" -> service.enable(r.id(), true);
      case "disable" -> service.enable(r.id(), false);
      default -> throw ApiError.notFound("no recurring run action ':" + action + "'");
    }
  }

  /** What the dashboard's KFP experiment and recurring run pages do, through this code. */
  AdminPages.Backend pages() {
    return new AdminPages.Backend() {
      @Override
      public ExperimentRecord createExperiment(
          Principal who, String namespace, String displayName, String description) {
        return kfp.createExperiment(who, namespace, displayName, description);
      }

      @Override
      public void experimentAction(Principal who, String experimentId, String action) {
        kfp.experimentAction(who, experimentId, action);
      }

      @Override
      public RecurringRunRecord createRecurringRun(Principal who, RecurringRunService.Spec spec) {
        return create(who, spec);
      }

      @Override
      public void recurringRunAction(Principal who, String id, String action) {
        act(who, id, action);
      }
    };
  }

  private void delete(Context ctx) {
    RecurringRunRecord r = recurring(ctx.pathParam("id"));
    access.check(KeelServer.principal(ctx), r.namespace(), Action.WRITE);
    service.delete(r.id());
    json(ctx, Json.json().createObjectNode());
  }

  private RecurringRunRecord recurring(String id) {
    return store
        .recurringRuns()
        .get(id)
        .orElseThrow(() -> ApiError.notFound("no recurring run " + id));
  }

  /** proto int64 fields arrive as JSON numbers or as strings. */
  private static Long number(JsonNode n, String field) {
    if (n == null || n.isNull()) {
      return null;
    }
    if (n.canConvertToLong() && n.isIntegralNumber()) {
      return n.asLong();
    }
    try {
      return Long.parseLong(n.asText().strip());
    } catch (NumberFormatException e) {
      throw ApiError.badRequest(field, "'" + n.asText() + "' is not a whole number");
    }
  }

  private static Instant time(JsonNode n, String field) {
    if (n == null || n.isNull() || n.asText().isEmpty()) {
      return null;
    }
    try {
      return Instant.parse(n.asText());
    } catch (DateTimeParseException e) {
      throw ApiError.badRequest(field, "'" + n.asText() + "' is not an RFC 3339 time");
    }
  }

  static ObjectNode toJson(RecurringRunRecord r) {
    ObjectNode n = Json.json().createObjectNode();
    n.put("recurring_run_id", r.id());
    n.put("display_name", r.displayName());
    if (r.description() != null) {
      n.put("description", r.description());
    }
    if (r.pipelineVersionId() != null) {
      n.putObject("pipeline_version_reference").put("pipeline_version_id", r.pipelineVersionId());
    } else if (r.pipelineSpec() != null) {
      JsonNode tree = Json.parse(r.pipelineSpec());
      n.set("pipeline_spec", tree.has("platform_spec") ? tree : tree.path("pipeline_spec"));
    }
    n.set("runtime_config", Json.parse(r.runtimeConfig()));
    n.put("max_concurrency", Integer.toString(r.maxConcurrency()));
    ObjectNode trigger = n.putObject("trigger");
    ObjectNode schedule;
    if (r.cron() != null) {
      schedule = trigger.putObject("cron_schedule");
      schedule.put("cron", r.cron());
    } else {
      schedule = trigger.putObject("periodic_schedule");
      schedule.put("interval_second", Long.toString(r.intervalSeconds()));
    }
    if (r.startTime() != null) {
      schedule.put("start_time", r.startTime().toString());
    }
    if (r.endTime() != null) {
      schedule.put("end_time", r.endTime().toString());
    }
    n.put("mode", r.enabled() ? "ENABLE" : "DISABLE");
    n.put("created_at", r.createdAt().toString());
    n.put("updated_at", r.updatedAt().toString());
    n.put("status", r.enabled() ? "ENABLED" : "DISABLED");
    n.put("no_catchup", r.noCatchup());
    n.put("namespace", r.namespace());
    n.put("experiment_id", r.experimentId());
    n.put("time_zone", r.timeZone());
    return n;
  }
}
