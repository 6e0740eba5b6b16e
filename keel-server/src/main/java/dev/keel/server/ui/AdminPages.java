package dev.keel.server.ui;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.access.Access;
import dev.keel.access.AccessDeniedException;
import dev.keel.access.Action;
import dev.keel.access.Authenticator;
import dev.keel.access.Principal;
import dev.keel.access.Role;
import dev.keel.core.Json;
import dev.keel.core.Problem;
import dev.keel.core.ValidationException;
import dev.keel.pipelines.schedule.RecurringRunService;
import dev.keel.pipelines.schedule.Schedule;
import dev.keel.pipelines.spec.ParameterSpec;
import dev.keel.pipelines.spec.ParameterType;
import dev.keel.pipelines.spec.PipelineDocument;
import dev.keel.pipelines.spec.PipelineSpecReader;
import dev.keel.pipelines.spec.PipelineValidator;
import dev.keel.server.ApiError;
import dev.keel.store.ConflictException;
import dev.keel.store.ContributorRecord;
import dev.keel.store.ExperimentRecord;
import dev.keel.store.NotFoundException;
import dev.keel.store.Page;
import dev.keel.store.PipelineRecord;
import dev.keel.store.PipelineVersionRecord;
import dev.keel.store.ProfileRecord;
import dev.keel.store.RecurringRunRecord;
import dev.keel.store.RunRecord;
import dev.keel.store.Runs;
import dev.keel.store.Store;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The dashboard's pages for KFP experiments ({@code /kfp/experiments}), recurring runs ({@code
 * /recurringruns}) and a namespace's contributors ({@code /namespaces/{ns}/contributors},
 * Kubeflow's "Manage contributors"). Each page checks the caller's role in its namespace as the API
 * does, and what it changes goes through the API's own code ({@link Backend}, {@link Access}); a
 * form that does not validate comes back with each error next to its field.
 */
public final class AdminPages {
  /** What the pages change, through the code the KFP API runs. */
  public interface Backend {
    /** Makes a KFP experiment, checking that {@code who} may change the namespace. */
    ExperimentRecord createExperiment(
        Principal who, String namespace, String displayName, String description);

    /** {@code archive} or {@code unarchive} (which archives its runs too, as KFP does). */
    void experimentAction(Principal who, String experimentId, String action);

    /** Checks and stores a recurring run, as {@code POST /apis/v2beta1/recurringruns} does. */
    RecurringRunRecord createRecurringRun(Principal who, RecurringRunService.Spec spec);

    /** {@code enable} or {@code disable}. */
    void recurringRunAction(Principal who, String recurringRunId, String action);
  }

  private static final Set<String> SECTIONS = Set.of("/kfp", "/recurringruns", "/namespaces");
  private static final int PAGE_SIZE = 20;
  private static final Map<String, Long> UNITS = units();

  private final Dashboard dashboard;
  private final Store store;
  private final Access access;
  private final Authenticator.Mode mode;
  private final Backend backend;
  private final Function<Context, Principal> principal;

  public AdminPages(
      Dashboard dashboard,
      Store store,
      Access access,
      Authenticator.Mode mode,
      Backend backend,
      Function<Context, Principal> principal) {
    this.dashboard = dashboard;
    this.store = store;
    this.access = access;
    this.mode = mode;
    this.backend = backend;
    this.principal = principal;
  }

  public void register(RoutesConfig r) {
    r.get("/kfp/experiments", this::experiments);
    r.post("/kfp/experiments", this::createExperiment);
    r.get("/kfp/experiments/{id}", this::experiment);
    r.post("/kfp/experiments/{id}/{action}", this::experimentAction);
    r.get("/recurringruns", this::recurringRuns);
    r.get("/recurringruns/new", this::newRecurringRun);
    r.post("/recurringruns", this::createRecurringRun);
    r.post("/recurringruns/{id}/{action}", this::recurringRunAction);
    r.get("/namespaces", this::namespaces);
    r.get("/namespaces/{namespace}/contributors", this::contributors);
    r.post("/namespaces/{namespace}/contributors", this::addContributor);
    r.post("/namespaces/{namespace}/contributors/{user}/remove", this::removeContributor);
  }

  /** Whether a path is one of these pages (so errors are answered with pages). */
  static boolean isPage(String path) {
    for (String s : SECTIONS) {
      if (path.equals(s) || path.startsWith(s + "/")) {
        return true;
      }
    }
    return false;
  }

  // ------------------------------------------------------------------ what the pages show

  /** A KFP experiment in a list. */
  public record ExperimentRow(
      String id,
      String name,
      String description,
      String namespace,
      String storageState,
      Instant created,
      Instant lastRun) {
    public boolean archived() {
      return "ARCHIVED".equals(storageState);
    }

    public String link() {
      return "/kfp/experiments/" + Views.enc(id);
    }
  }

  /** The form that makes an experiment, with what was typed and what is wrong with it. */
  public record ExperimentForm(
      String namespace, String name, String description, Map<String, String> errors) {
    public String error(String field) {
      return errors.get(field);
    }
  }

  /** A recurring run in a list. */
  public record RecurringRow(
      String id,
      String name,
      String namespace,
      String pipeline,
      String pipelineLink,
      String experiment,
      String experimentLink,
      String trigger,
      boolean enabled,
      int maxConcurrency,
      boolean catchup,
      long fires,
      Instant lastFire,
      String nextFire,
      boolean canWrite) {}

  /** A choice in a select. */
  public record Option(String value, String label) {}

  /** A pipeline parameter in the form: its name, type, value and description. */
  public record ParamField(
      String name, String type, String value, String description, boolean required) {
    public String field() {
      return "param." + name;
    }

    public String id() {
      return "param-" + name.replaceAll("[^A-Za-z0-9_-]", "_");
    }
  }

  /** The form that makes a recurring run. */
  public record RecurringForm(
      String namespace,
      String name,
      String description,
      List<Option> pipelines,
      String pipeline,
      List<Option> versions,
      String version,
      List<Option> experiments,
      String experiment,
      String trigger,
      String cron,
      String interval,
      String unit,
      String maxConcurrency,
      boolean catchup,
      boolean enabled,
      List<ParamField> parameters,
      Map<String, String> errors) {
    public String error(String field) {
      return errors.get(field);
    }

    public boolean cronTrigger() {
      return !"periodic".equals(trigger);
    }

    public List<Option> units() {
      return List.of(
          new Option("seconds", "seconds"),
          new Option("minutes", "minutes"),
          new Option("hours", "hours"),
          new Option("days", "days"),
          new Option("weeks", "weeks"));
    }
  }

  /** A contributor of a namespace, or its owner. */
  public record ContributorRow(String user, String role, boolean owner, Instant since) {
    public String roleLabel() {
      return owner
          ? "Owner"
          : switch (role) {
            case "admin" -> "Admin";
            case "edit" -> "Contributor (edit)";
            default -> "Viewer";
          };
    }
  }

  /** A namespace the signed-in user belongs to, with their role there. */
  public record Membership(String namespace, String role) {}

  /** The contributors of a namespace and the form that adds one. */
  public record Contributors(
      String namespace,
      boolean hasProfile,
      String owner,
      List<ContributorRow> rows,
      boolean canManage,
      String user,
      String role,
      Map<String, String> errors,
      String message) {
    public String error(String field) {
      return errors.get(field);
    }

    public List<Option> roles() {
      return List.of(
          new Option("view", "View: read runs, pipelines and experiments"),
          new Option("edit", "Edit: also create, run and change"),
          new Option("admin", "Admin: also manage contributors"));
    }

    public String base() {
      return "/namespaces/" + Views.enc(namespace) + "/contributors";
    }
  }

  // ------------------------------------------------------------------ KFP experiments

  private void experiments(Context ctx) {
    Views.Page page = dashboard.page(ctx, "Experiments (KFP)", "kfp-experiments", ns(ctx));
    boolean archived = "true".equals(ctx.queryParam("archived"));
    List<ExperimentRow> rows = new ArrayList<>();
    String next = "";
    if (page.namespace() != null) {
      String token = Optional.ofNullable(ctx.queryParam("page_token")).orElse("");
      Page<ExperimentRecord> p;
      try {
        p = store.experiments().list(page.namespace(), PAGE_SIZE, token);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "that page of experiments is gone; start from the first page");
      }
      while (true) {
        for (ExperimentRecord e : p.items()) {
          if ("ARCHIVED".equals(e.storageState()) == archived) {
            rows.add(row(e));
          }
        }
        next = p.nextPageToken();
        if (rows.size() >= PAGE_SIZE || next.isEmpty()) {
          break;
        }
        p = store.experiments().list(page.namespace(), PAGE_SIZE, next);
      }
    }
    Principal who = principal.apply(ctx);
    boolean canWrite = page.namespace() != null && access.can(who, page.namespace(), Action.WRITE);
    Map<String, Object> m = new HashMap<>();
    m.put("page", page);
    m.put("experiments", rows);
    m.put("archived", archived);
    m.put("canWrite", canWrite);
    m.put("form", new ExperimentForm(page.namespace(), "", "", Map.of()));
    m.put("activeLink", Views.url("/kfp/experiments", "namespace", page.namespace()));
    m.put(
        "archivedLink",
        Views.url("/kfp/experiments", "namespace", page.namespace(), "archived", "true"));
    m.put(
        "nextLink",
        next.isEmpty()
            ? null
            : Views.url(
                "/kfp/experiments",
                "namespace",
                page.namespace(),
                "archived",
                archived ? "true" : null,
                "page_token",
                next));
    dashboard.html(ctx, "kfp_experiments.jte", m);
  }

  private void createExperiment(Context ctx) {
    Principal who = principal.apply(ctx);
    String namespace = required(ctx.formParam("namespace"), "namespace");
    access.check(who, namespace, Action.WRITE);
    String name = Optional.ofNullable(ctx.formParam("name")).orElse("").strip();
    String description = Optional.ofNullable(ctx.formParam("description")).orElse("").strip();
    Map<String, String> errors = new LinkedHashMap<>();
    if (name.isEmpty()) {
      errors.put("name", "Give the experiment a name.");
    } else if (store.experiments().getByName(namespace, name).isPresent()) {
      errors.put(
          "name", "There is an experiment named '" + name + "' in " + namespace + " already.");
    }
    if (errors.isEmpty()) {
      try {
        ExperimentRecord e =
            backend.createExperiment(
                who, namespace, name, description.isEmpty() ? null : description);
        ctx.header("HX-Redirect", "/kfp/experiments/" + Views.enc(e.id()));
        dashboard.html(ctx, "flash.jte", Map.of("message", "Experiment created.", "error", false));
        return;
      } catch (ValidationException e) {
        fieldErrors(e.problems(), errors, Map.of("display_name", "name"));
      } catch (ConflictException e) {
        errors.put(
            "name", "There is an experiment named '" + name + "' in " + namespace + " already.");
      } catch (RuntimeException e) {
        if (!problemsOf(e, errors, Map.of("display_name", "name"))) {
          throw e;
        }
      }
    }
    ctx.status(422);
    dashboard.html(
        ctx,
        "kfp_experiment_form.jte",
        Map.of("form", new ExperimentForm(namespace, name, description, errors)));
  }

  private void experiment(Context ctx) {
    Principal who = principal.apply(ctx);
    ExperimentRecord e = readableExperiment(who, ctx.pathParam("id"));
    Views.Page page = dashboard.page(ctx, e.displayName(), "kfp-experiments", e.namespace());
    String token = Optional.ofNullable(ctx.queryParam("page_token")).orElse("");
    Page<RunRecord> runs;
    try {
      runs = store.runs().list(null, e.id(), PAGE_SIZE, token, Runs.Sort.NEWEST_FIRST);
    } catch (IllegalArgumentException x) {
      throw new IllegalArgumentException("that page of runs is gone; start from the first page");
    }
    Map<String, Object> m = new HashMap<>();
    m.put("page", page);
    m.put("experiment", row(e));
    m.put("canWrite", access.can(who, e.namespace(), Action.WRITE));
    m.put("runs", runs.items().stream().map(Dashboard::runRow).toList());
    m.put("totalRuns", runs.totalSize());
    m.put(
        "nextLink",
        runs.nextPageToken().isEmpty()
            ? null
            : Views.url(row(e).link(), "page_token", runs.nextPageToken()));
    m.put(
        "recurring",
        recurringRows(store.recurringRuns().list(e.namespace(), e.id(), 100, "").items(), false));
    m.put(
        "newRecurring",
        Views.url("/recurringruns/new", "namespace", e.namespace(), "experiment", e.id()));
    dashboard.html(ctx, "kfp_experiment.jte", m);
  }

  private void experimentAction(Context ctx) {
    Principal who = principal.apply(ctx);
    String action = ctx.pathParam("action");
    if (!action.equals("archive") && !action.equals("unarchive")) {
      throw new NotFoundException("experiments have no action '" + action + "'");
    }
    ExperimentRecord e = readableExperiment(who, ctx.pathParam("id"));
    backend.experimentAction(who, e.id(), action);
    ctx.header("HX-Redirect", "/kfp/experiments/" + Views.enc(e.id()));
    dashboard.html(
        ctx,
        "flash.jte",
        Map.of(
            "message",
            action.equals("archive") ? "Experiment archived." : "Experiment restored.",
            "error",
            false));
  }

  private ExperimentRecord readableExperiment(Principal who, String id) {
    ExperimentRecord e =
        store.experiments().get(id).orElseThrow(() -> new NotFoundException("no experiment " + id));
    access.check(who, e.namespace(), Action.READ);
    return e;
  }

  private static ExperimentRow row(ExperimentRecord e) {
    return new ExperimentRow(
        e.id(),
        e.displayName(),
        e.description(),
        e.namespace(),
        e.storageState(),
        e.createdAt(),
        e.lastRunCreatedAt());
  }

  // ------------------------------------------------------------------ recurring runs

  private void recurringRuns(Context ctx) {
    Views.Page page = dashboard.page(ctx, "Recurring runs", "recurringruns", ns(ctx));
    Principal who = principal.apply(ctx);
    boolean canWrite = page.namespace() != null && access.can(who, page.namespace(), Action.WRITE);
    List<RecurringRow> rows = List.of();
    String next = null;
    if (page.namespace() != null) {
      String token = Optional.ofNullable(ctx.queryParam("page_token")).orElse("");
      Page<RecurringRunRecord> p;
      try {
        p = store.recurringRuns().list(page.namespace(), null, PAGE_SIZE, token);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "that page of recurring runs is gone; start from the first page");
      }
      rows = recurringRows(p.items(), canWrite);
      if (!p.nextPageToken().isEmpty()) {
        next =
            Views.url(
                "/recurringruns", "namespace", page.namespace(), "page_token", p.nextPageToken());
      }
    }
    Map<String, Object> m = new HashMap<>();
    m.put("page", page);
    m.put("rows", rows);
    m.put("canWrite", canWrite);
    m.put("newLink", Views.url("/recurringruns/new", "namespace", page.namespace()));
    m.put("nextLink", next);
    dashboard.html(ctx, "recurringruns.jte", m);
  }

  private List<RecurringRow> recurringRows(List<RecurringRunRecord> records, boolean canWrite) {
    Map<String, String> pipelineNames = new HashMap<>();
    Map<String, String> experimentNames = new HashMap<>();
    List<RecurringRow> rows = new ArrayList<>();
    Instant now = Instant.now();
    for (RecurringRunRecord r : records) {
      rows.add(recurringRow(r, canWrite, now, pipelineNames, experimentNames));
    }
    return rows;
  }

  private RecurringRow recurringRow(
      RecurringRunRecord r,
      boolean canWrite,
      Instant now,
      Map<String, String> pipelineNames,
      Map<String, String> experimentNames) {
    String pipeline = "(its own pipeline spec)";
    String pipelineLink = null;
    if (r.pipelineVersionId() != null) {
      Optional<PipelineVersionRecord> v = store.versions().get(r.pipelineVersionId());
      if (v.isPresent()) {
        String pid = v.get().pipelineId();
        String name =
            pipelineNames.computeIfAbsent(
                pid, id -> store.pipelines().get(id).map(PipelineRecord::displayName).orElse(id));
        pipeline = name + " · " + v.get().displayName();
        pipelineLink =
            Views.url(
                "/pipelines/" + Views.enc(pid),
                "namespace",
                r.namespace(),
                "version",
                v.get().id());
      } else {
        pipeline = "(deleted version " + Views.shortId(r.pipelineVersionId()) + ")";
      }
    }
    String experiment = "";
    String experimentLink = null;
    if (r.experimentId() != null) {
      experiment =
          experimentNames.computeIfAbsent(
              r.experimentId(),
              id -> store.experiments().get(id).map(ExperimentRecord::displayName).orElse(""));
      if (!experiment.isEmpty()) {
        experimentLink = "/kfp/experiments/" + Views.enc(r.experimentId());
      }
    }
    return new RecurringRow(
        r.id(),
        r.displayName(),
        r.namespace(),
        pipeline,
        pipelineLink,
        experiment,
        experimentLink,
        trigger(r),
        r.enabled(),
        r.maxConcurrency(),
        !r.noCatchup(),
        r.fires(),
        r.lastScheduledAt(),
        nextFire(r, now),
        canWrite);
  }

  /** A trigger as people read it: the cron expression and zone, or the period. */
  static String trigger(RecurringRunRecord r) {
    if (r.cron() != null) {
      return "Cron " + r.cron() + " (" + r.timeZone() + ")";
    }
    return "Every " + period(r.intervalSeconds());
  }

  /** A period in seconds as {@code 1 day 2 hours}, {@code 30 minutes}, {@code 45 seconds}. */
  static String period(long seconds) {
    long[] sizes = {7 * 86400, 86400, 3600, 60, 1};
    String[] names = {"week", "day", "hour", "minute", "second"};
    List<String> parts = new ArrayList<>();
    long left = seconds;
    for (int i = 0; i < sizes.length && parts.size() < 2; i++) {
      long n = left / sizes[i];
      if (n > 0) {
        parts.add(n + " " + names[i] + (n == 1 ? "" : "s"));
        left -= n * sizes[i];
      }
    }
    return parts.isEmpty() ? seconds + " seconds" : String.join(" ", parts);
  }

  /**
   * When it fires next, as the scheduler counts it: after the last time it fired for (or its
   * start), not after its end; "due now" when that time has passed and the scheduler has yet to
   * catch up.
   */
  static String nextFire(RecurringRunRecord r, Instant now) {
    if (!r.enabled()) {
      return "– (disabled)";
    }
    try {
      Instant origin = r.startTime() != null ? r.startTime() : r.createdAt();
      Schedule s =
          (r.cron() != null
                  ? Schedule.cron(r.cron(), ZoneId.of(r.timeZone()))
                  : Schedule.periodic(Duration.ofSeconds(r.intervalSeconds())))
              .withOrigin(origin);
      Instant after = r.lastScheduledAt() != null ? r.lastScheduledAt() : origin;
      Optional<Instant> t = s.next(after);
      if (t.isEmpty() || (r.endTime() != null && t.get().isAfter(r.endTime()))) {
        return "– (ended)";
      }
      if (!t.get().isAfter(now)) {
        return "due now";
      }
      return Views.time(t.get());
    } catch (RuntimeException e) {
      return "–";
    }
  }

  private void newRecurringRun(Context ctx) {
    Principal who = principal.apply(ctx);
    Views.Page page = dashboard.page(ctx, "New recurring run", "recurringruns", ns(ctx));
    if (page.namespace() == null) {
      throw new IllegalArgumentException("choose a namespace to make the recurring run in");
    }
    access.check(who, page.namespace(), Action.WRITE);
    RecurringForm form = form(who, page.namespace(), ctx::queryParam, Map.of(), false);
    Map<String, Object> m = new HashMap<>();
    m.put("page", page);
    m.put("form", form);
    dashboard.html(ctx, "recurringrun_new.jte", m);
  }

  /**
   * The form, filled with what the request carries: the pipeline's versions and its parameters
   * (their defaults until a value is typed for the version shown).
   */
  private RecurringForm form(
      Principal who,
      String namespace,
      Function<String, String> in,
      Map<String, String> errors,
      boolean posted) {
    List<PipelineRecord> pipelines = readablePipelines(namespace);
    String pipelineId = text(in.apply("pipeline"));
    PipelineRecord pipeline =
        pipelines.stream()
            .filter(p -> p.id().equals(pipelineId))
            .findFirst()
            .orElse(pipelines.isEmpty() ? null : pipelines.get(0));
    List<PipelineVersionRecord> versions =
        pipeline == null ? List.of() : store.versions().list(pipeline.id(), 100, "").items();
    String versionId = text(in.apply("version"));
    PipelineVersionRecord version =
        versions.stream()
            .filter(v -> v.id().equals(versionId))
            .findFirst()
            .orElse(versions.isEmpty() ? null : versions.get(0));
    boolean sameVersion = version != null && version.id().equals(text(in.apply("shown_version")));
    List<ParamField> params = new ArrayList<>();
    if (version != null) {
      for (Map.Entry<String, ParameterSpec> e : parameterSpecs(version).entrySet()) {
        ParameterSpec s = e.getValue();
        String given = in.apply("param." + e.getKey());
        String value =
            (sameVersion || posted) && given != null
                ? given
                : defaultText(s.defaultValue(), s.parameterType());
        params.add(
            new ParamField(
                e.getKey(),
                typeLabel(s.parameterType()),
                value,
                s.description() == null ? "" : s.description(),
                s.defaultValue() == null && !Boolean.TRUE.equals(s.isOptional())));
      }
    }
    List<Option> experiments = new ArrayList<>();
    experiments.add(new Option("", "Default"));
    for (ExperimentRecord e : store.experiments().list(namespace, 200, "").items()) {
      if (!"ARCHIVED".equals(e.storageState()) && !e.displayName().equals("Default")) {
        experiments.add(new Option(e.id(), e.displayName()));
      }
    }
    boolean fresh = in.apply("name") == null && !posted;
    return new RecurringForm(
        namespace,
        orEmpty(in.apply("name")),
        orEmpty(in.apply("description")),
        pipelines.stream()
            .map(
                p ->
                    new Option(
                        p.id(), p.displayName() + (p.namespace().isEmpty() ? " (shared)" : "")))
            .toList(),
        pipeline == null ? "" : pipeline.id(),
        versions.stream()
            .map(v -> new Option(v.id(), v.displayName() + " · " + Views.time(v.createdAt())))
            .toList(),
        version == null ? "" : version.id(),
        experiments,
        orEmpty(in.apply("experiment")),
        "periodic".equals(in.apply("trigger")) ? "periodic" : "cron",
        fresh ? "0 0 * * * *" : orEmpty(in.apply("cron")),
        fresh ? "1" : orEmpty(in.apply("interval")),
        UNITS.containsKey(in.apply("unit")) ? in.apply("unit") : "hours",
        fresh ? "1" : orEmpty(in.apply("max_concurrency")),
        fresh || in.apply("catchup") != null,
        fresh || in.apply("enabled") != null,
        params,
        errors);
  }

  private void createRecurringRun(Context ctx) {
    Principal who = principal.apply(ctx);
    String namespace = required(ctx.formParam("namespace"), "namespace");
    access.check(who, namespace, Action.WRITE);
    Map<String, String> errors = new LinkedHashMap<>();
    String name = text(ctx.formParam("name"));
    if (name.isEmpty()) {
      errors.put("name", "Give the recurring run a name.");
    }
    // the pipeline version: one of a pipeline this user may read
    PipelineVersionRecord version = null;
    String versionId = text(ctx.formParam("version"));
    if (versionId.isEmpty()) {
      errors.put("version", "Choose a pipeline and one of its versions.");
    } else {
      Optional<PipelineVersionRecord> v = store.versions().get(versionId);
      Optional<PipelineRecord> p = v.flatMap(x -> store.pipelines().get(x.pipelineId()));
      if (p.isEmpty()
          || !(p.get().namespace().isEmpty()
              || p.get().namespace().equals(namespace)
              || access.can(who, p.get().namespace(), Action.READ))) {
        errors.put("version", "There is no such pipeline version.");
      } else {
        version = v.get();
      }
    }
    String experimentId = text(ctx.formParam("experiment"));
    if (!experimentId.isEmpty()
        && store
            .experiments()
            .get(experimentId)
            .filter(e -> e.namespace().equals(namespace))
            .isEmpty()) {
      errors.put("experiment", "There is no such experiment in " + namespace + ".");
    }
    // the trigger
    boolean periodic = "periodic".equals(ctx.formParam("trigger"));
    String cron = null;
    Long interval = null;
    if (periodic) {
      String n = text(ctx.formParam("interval"));
      Long unit = UNITS.get(ctx.formParam("unit"));
      try {
        long k = Long.parseLong(n);
        if (k < 1) {
          errors.put("interval", "Run it every 1 or more " + ctx.formParam("unit") + ".");
        } else if (unit == null) {
          errors.put("interval", "Choose seconds, minutes, hours, days or weeks.");
        } else {
          interval = Math.multiplyExact(k, unit);
        }
      } catch (NumberFormatException | ArithmeticException e) {
        errors.put("interval", "'" + n + "' is not a whole number.");
      }
    } else {
      cron = text(ctx.formParam("cron"));
      if (cron.isEmpty()) {
        errors.put("cron", "Give a cron expression, such as 0 0 * * * * (hourly).");
      } else {
        try {
          Schedule.cron(cron, ZoneId.of("UTC")); // the scheduler's own check, to show it now
        } catch (IllegalArgumentException e) {
          errors.put("cron", e.getMessage());
        }
      }
    }
    int maxConcurrency = 1;
    String mc = text(ctx.formParam("max_concurrency"));
    try {
      maxConcurrency = Integer.parseInt(mc);
    } catch (NumberFormatException e) {
      errors.put("max_concurrency", "'" + mc + "' is not a whole number between 1 and 10.");
    }
    // the parameters, read as their types
    Map<String, JsonNode> params = new LinkedHashMap<>();
    PipelineDocument doc = null;
    if (version != null) {
      doc = PipelineSpecReader.fromTree(Json.parse(version.pipelineSpec()));
      for (Map.Entry<String, ParameterSpec> e : parameterSpecs(version).entrySet()) {
        String given = ctx.formParam("param." + e.getKey());
        ParameterType type = e.getValue().parameterType();
        if (given == null || (given.isBlank() && type != null && type != ParameterType.STRING)) {
          continue; // its default, if it has one
        }
        try {
          params.put(e.getKey(), PipelineValidator.coerceCliValue(type, given));
        } catch (IllegalArgumentException x) {
          errors.put("param." + e.getKey(), x.getMessage());
        }
      }
      for (Problem p : PipelineValidator.checkRunParameters(doc, params)) {
        String field =
            p.path().startsWith("parameters.") ? "param." + p.path().substring(11) : "form";
        errors.putIfAbsent(field, p.reason());
      }
    }
    if (errors.isEmpty()) {
      try {
        backend.createRecurringRun(
            who,
            new RecurringRunService.Spec(
                namespace,
                experimentId.isEmpty() ? null : experimentId,
                name,
                emptyToNull(text(ctx.formParam("description"))),
                null,
                version.id(),
                params,
                cron,
                interval,
                null,
                null,
                maxConcurrency,
                ctx.formParam("catchup") == null,
                ctx.formParam("enabled") != null,
                null));
        ctx.header("HX-Redirect", Views.url("/recurringruns", "namespace", namespace));
        dashboard.html(
            ctx, "flash.jte", Map.of("message", "Recurring run created.", "error", false));
        return;
      } catch (AccessDeniedException e) {
        throw e;
      } catch (RuntimeException e) {
        if (!problemsOf(e, errors, RECURRING_FIELDS)) {
          throw e;
        }
      }
    }
    ctx.status(422);
    dashboard.html(
        ctx,
        "recurringrun_form.jte",
        Map.of("form", form(who, namespace, ctx::formParam, errors, true)));
  }

  /** Where the API's field paths are in the form. */
  private static final Map<String, String> RECURRING_FIELDS =
      Map.of(
          "display_name", "name",
          "trigger.cron_schedule.cron", "cron",
          "trigger.periodic_schedule.interval_second", "interval",
          "trigger", "cron",
          "max_concurrency", "max_concurrency",
          "pipeline_version_reference.pipeline_version_id", "version",
          "pipeline_spec", "version",
          "experiment_id", "experiment");

  private void recurringRunAction(Context ctx) {
    Principal who = principal.apply(ctx);
    String action = ctx.pathParam("action");
    if (!action.equals("enable") && !action.equals("disable")) {
      throw new NotFoundException("recurring runs have no action '" + action + "'");
    }
    String id = ctx.pathParam("id");
    RecurringRunRecord r =
        store
            .recurringRuns()
            .get(id)
            .orElseThrow(() -> new NotFoundException("no recurring run " + id));
    access.check(who, r.namespace(), Action.READ);
    backend.recurringRunAction(who, r.id(), action);
    RecurringRunRecord now = store.recurringRuns().get(id).orElse(r);
    dashboard.html(
        ctx,
        "recurringrun_row.jte",
        Map.of(
            "r",
            recurringRow(
                now,
                access.can(who, r.namespace(), Action.WRITE),
                Instant.now(),
                new HashMap<>(),
                new HashMap<>())));
  }

  /** The pipelines a recurring run in {@code namespace} may run: shared ones and its own. */
  private List<PipelineRecord> readablePipelines(String namespace) {
    List<PipelineRecord> all = new ArrayList<>(store.pipelines().list(namespace, 200, "").items());
    all.addAll(store.pipelines().list("", 200, "").items());
    all.sort(
        Comparator.comparing((PipelineRecord p) -> p.displayName().toLowerCase(Locale.ROOT))
            .thenComparing(PipelineRecord::createdAt));
    return all;
  }

  private static Map<String, ParameterSpec> parameterSpecs(PipelineVersionRecord v) {
    try {
      PipelineDocument doc = PipelineSpecReader.fromTree(Json.parse(v.pipelineSpec()));
      if (doc.spec().root() == null || doc.spec().root().inputDefinitions() == null) {
        return Map.of();
      }
      return doc.spec().root().inputDefinitions().parameters();
    } catch (RuntimeException e) {
      return Map.of();
    }
  }

  private static String defaultText(JsonNode v, ParameterType type) {
    if (v == null || v.isNull()) {
      return "";
    }
    if (type == ParameterType.NUMBER_INTEGER && v.isNumber() && v.canConvertToExactIntegral()) {
      return Long.toString(v.asLong());
    }
    return v.isTextual() ? v.textValue() : Json.write(v);
  }

  private static String typeLabel(ParameterType t) {
    if (t == null) {
      return "string";
    }
    return switch (t) {
      case NUMBER_INTEGER -> "integer";
      case NUMBER_DOUBLE -> "number";
      case BOOLEAN -> "true or false";
      case LIST -> "JSON list";
      case STRUCT -> "JSON object";
      default -> "string";
    };
  }

  private static Map<String, Long> units() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("seconds", 1L);
    m.put("minutes", 60L);
    m.put("hours", 3600L);
    m.put("days", 86400L);
    m.put("weeks", 7 * 86400L);
    return m;
  }

  // ------------------------------------------------------------------ contributors

  /** The namespace selector's target: the contributors of the namespace chosen. */
  private void namespaces(Context ctx) {
    Views.Page page = dashboard.page(ctx, "Manage contributors", "contributors", ns(ctx));
    if (page.namespace() == null) {
      ctx.redirect("/");
      return;
    }
    ctx.redirect("/namespaces/" + Views.enc(page.namespace()) + "/contributors");
  }

  private void contributors(Context ctx) {
    Principal who = principal.apply(ctx);
    String namespace = ctx.pathParam("namespace");
    access.check(who, namespace, Action.READ);
    Views.Page page = dashboard.page(ctx, "Manage contributors", "contributors", namespace);
    Map<String, Object> m = new HashMap<>();
    m.put("page", page);
    m.put("c", contributorsOf(who, namespace, "", "view", Map.of(), null));
    m.put("memberships", memberships(who, page.namespaces()));
    m.put("clusterAdmin", who.clusterAdmin());
    dashboard.html(ctx, "contributors.jte", m);
  }

  private void addContributor(Context ctx) {
    Principal who = principal.apply(ctx);
    String namespace = ctx.pathParam("namespace");
    access.check(who, namespace, Action.MANAGE_CONTRIBUTORS);
    String user = text(ctx.formParam("user"));
    String roleText = text(ctx.formParam("role"));
    Map<String, String> errors = new LinkedHashMap<>();
    String message = null;
    try {
      Role role = Role.parse("role", roleText);
      access.addContributor(who, namespace, user, role);
      message = "Added " + user + " as " + role.id() + ".";
      if (mode == Authenticator.Mode.USERS && store.users().get(user).isEmpty()) {
        message +=
            " There is no built-in user '"
                + user
                + "' yet: add one with keel users add "
                + user
                + ".";
      }
      user = "";
    } catch (ValidationException e) {
      fieldErrors(e.problems(), errors, Map.of());
      ctx.status(422);
    }
    dashboard.html(
        ctx,
        "contributors_section.jte",
        Map.of(
            "c",
            contributorsOf(
                who, namespace, user, roleText.isEmpty() ? "view" : roleText, errors, message)));
  }

  private void removeContributor(Context ctx) {
    Principal who = principal.apply(ctx);
    String namespace = ctx.pathParam("namespace");
    access.check(who, namespace, Action.MANAGE_CONTRIBUTORS);
    String user = ctx.pathParam("user");
    access.removeContributor(who, namespace, user);
    if (!access.can(who, namespace, Action.READ)) {
      ctx.header("HX-Redirect", "/");
      dashboard.html(ctx, "flash.jte", Map.of("message", "Removed.", "error", false));
      return;
    }
    dashboard.html(
        ctx,
        "contributors_section.jte",
        Map.of(
            "c",
            contributorsOf(
                who,
                namespace,
                "",
                "view",
                Map.of(),
                "Removed " + user + " from " + namespace + ".")));
  }

  private Contributors contributorsOf(
      Principal who,
      String namespace,
      String user,
      String role,
      Map<String, String> errors,
      String message) {
    Optional<ProfileRecord> p = access.getProfile(namespace);
    List<ContributorRow> rows = new ArrayList<>();
    if (p.isPresent()) {
      rows.add(new ContributorRow(p.get().owner(), "admin", true, p.get().createdAt()));
      for (ContributorRecord c : access.contributors(namespace)) {
        rows.add(new ContributorRow(c.user(), c.role(), false, c.createdAt()));
      }
    }
    return new Contributors(
        namespace,
        p.isPresent(),
        p.map(ProfileRecord::owner).orElse(null),
        rows,
        p.isPresent() && access.can(who, namespace, Action.MANAGE_CONTRIBUTORS),
        user,
        role,
        errors,
        message);
  }

  private List<Membership> memberships(Principal who, List<String> namespaces) {
    List<Membership> out = new ArrayList<>();
    for (String n : namespaces) {
      Optional<ProfileRecord> p = access.getProfile(n);
      String role;
      if (p.isPresent() && p.get().owner().equals(who.name())) {
        role = "Owner";
      } else {
        role =
            access
                .roleOf(who.name(), n)
                .map(
                    r ->
                        switch (r) {
                          case ADMIN -> "Admin";
                          case EDIT -> "Contributor (edit)";
                          case VIEW -> "Viewer";
                        })
                .orElse(who.clusterAdmin() ? "Cluster admin" : "");
      }
      out.add(new Membership(n, role));
    }
    return out;
  }

  // ------------------------------------------------------------------ helpers

  private static String ns(Context ctx) {
    return ctx.queryParam("namespace");
  }

  private static String required(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("the form has no " + field);
    }
    return value.strip();
  }

  private static String text(String s) {
    return s == null ? "" : s.strip();
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  /** Puts each problem next to its field (a field the form lacks goes to the top). */
  private static void fieldErrors(
      List<Problem> problems, Map<String, String> errors, Map<String, String> fields) {
    for (Problem p : problems) {
      String field = fields.getOrDefault(p.path(), p.path());
      if (field.isEmpty()) {
        field = "form";
      }
      errors.merge(field, p.reason(), (a, b) -> a + "; " + b);
    }
  }

  /**
   * The field problems a refusal carries (a {@link ValidationException}, or an API error naming
   * fields), put next to their fields; false when it carries none.
   */
  private static boolean problemsOf(
      RuntimeException e, Map<String, String> errors, Map<String, String> fields) {
    if (e instanceof ValidationException v) {
      fieldErrors(v.problems(), errors, fields);
      return true;
    }
    if (e instanceof ApiError a && !a.problems().isEmpty()) {
      fieldErrors(a.problems(), errors, fields);
      return true;
    }
    return false;
  }
}
