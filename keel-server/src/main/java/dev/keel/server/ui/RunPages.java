package dev.keel.server.ui;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.access.Access;
import dev.keel.access.Action;
import dev.keel.access.Principal;
import dev.keel.core.Json;
import dev.keel.core.Problem;
import dev.keel.core.ValidationException;
import dev.keel.pipelines.PipelineEngine;
import dev.keel.pipelines.spec.ParameterSpec;
import dev.keel.pipelines.spec.ParameterType;
import dev.keel.pipelines.spec.PipelineSpec;
import dev.keel.pipelines.spec.PipelineSpecReader;
import dev.keel.pipelines.spec.PipelineValidator;
import dev.keel.store.ArtifactRecord;
import dev.keel.store.NotFoundException;
import dev.keel.store.PipelineRecord;
import dev.keel.store.PipelineVersionRecord;
import dev.keel.store.RunRecord;
import dev.keel.store.Store;
import dev.keel.store.TaskRecord;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Dashboard pages about what runs make and how they start: an artifact with its visualisation
 * ({@code /artifacts/{id}}), its file in a sandbox ({@code /artifacts/{id}/view}) or for download,
 * runs side by side ({@code /runs/compare?ids=a,b}), and the form that starts a run with typed
 * parameters, new from a pipeline or cloned from a run. Every page checks the namespace as the API
 * does.
 */
public final class RunPages {
  /**
   * The policy of artifact content served to a browser: a sandbox (an opaque origin, no scripts, no
   * forms, no plugins) that may load nothing but inline styles and data: images.
   */
  static final String SANDBOX_CSP =
      "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:";

  static final int MAX_COMPARE = 10;

  private final Dashboard d;
  private final Store store;
  private final Access access;
  private final Dashboard.RunActions actions;
  private final Function<Context, Principal> principal;

  RunPages(
      Dashboard d,
      Store store,
      Access access,
      Dashboard.RunActions actions,
      Function<Context, Principal> principal) {
    this.d = d;
    this.store = store;
    this.access = access;
    this.actions = actions;
    this.principal = principal;
  }

  void register(RoutesConfig r) {
    r.get("/runs/compare", this::compare);
    r.get("/runs/{id}/clone", this::cloneForm);
    r.post("/runs/{id}/clone", this::startClone);
    r.get("/pipelines/{id}/new-run", this::newRunForm);
    r.post("/pipelines/{id}/new-run", this::startNew);
    r.get("/artifacts/{id}", this::artifact);
    r.get("/artifacts/{id}/view", this::view);
    r.get("/artifacts/{id}/download", this::download);
  }

  /** Whether a path is one of these pages (errors are pages, not JSON). */
  static boolean isPage(String path) {
    return path.equals("/artifacts") || path.startsWith("/artifacts/");
  }

  // ------------------------------------------------------------------ artifacts

  /** An artifact as a run's page lists it: what it shows and whether its file can be had. */
  static Views.ArtifactRow row(ArtifactRecord a, Path runRoot) {
    Visuals.Visual v = Visuals.of(a);
    ArtifactFiles.Found f = ArtifactFiles.resolve(a.uri(), runRoot);
    String id = Views.enc(a.id());
    return new Views.ArtifactRow(
        a.id(),
        a.name(),
        a.uri(),
        a.schemaTitle(),
        v,
        f.ok() ? "/artifacts/" + id + "/download" : null,
        f.problem());
  }

  private record Owned(ArtifactRecord artifact, RunRecord run) {}

  private Owned readableArtifact(Context ctx) {
    String id = ctx.pathParam("id");
    ArtifactRecord a =
        store.artifacts().get(id).orElseThrow(() -> new NotFoundException("no artifact " + id));
    RunRecord r = d.readableRun(principal.apply(ctx), a.runId());
    return new Owned(a, r);
  }

  private void artifact(Context ctx) {
    Owned o = readableArtifact(ctx);
    ArtifactRecord a = o.artifact();
    RunRecord r = o.run();
    Views.Page page = d.page(ctx, a.name(), "runs", r.namespace());
    String taskPath =
        store.tasks().listByRun(r.id()).stream()
            .filter(t -> t.id().equals(a.taskId()))
            .map(TaskRecord::path)
            .findFirst()
            .orElse("");
    Map<String, Object> m = new HashMap<>();
    m.put("page", page);
    m.put("run", Dashboard.runRow(r));
    m.put("task", taskPath);
    m.put("artifact", row(a, actions.artifactDir(r)));
    m.put("created", a.createdAt());
    m.put("metadata", Visuals.entries(Visuals.metadata(a)));
    d.html(ctx, "artifact.jte", m);
  }

  /**
   * An HTML or Markdown artifact's content, for an {@code <iframe sandbox>}: it runs no script and
   * has an opaque origin even when opened on its own, as the CSP says so too.
   */
  private void view(Context ctx) throws IOException {
    Owned o = readableArtifact(ctx);
    ArtifactRecord a = o.artifact();
    sandboxHeaders(ctx);
    ctx.contentType("text/html; charset=utf-8");
    String title = a.schemaTitle() == null ? "" : a.schemaTitle();
    if (!title.equals(Visuals.HTML) && !title.equals(Visuals.MARKDOWN)) {
      ctx.status(HttpStatus.NOT_FOUND);
      ctx.result(
          ArtifactFiles.document(
              a.name(), "<p>Only HTML and Markdown artifacts are shown here.</p>"));
      return;
    }
    ArtifactFiles.Found f = ArtifactFiles.resolve(a.uri(), actions.artifactDir(o.run()));
    if (f.ok() && Files.size(f.file()) > ArtifactFiles.MAX_BYTES) {
      f = new ArtifactFiles.Found(null, "the file is larger than 64 MiB");
    }
    if (!f.ok()) {
      ctx.status(HttpStatus.NOT_FOUND);
      ctx.result(
          ArtifactFiles.document(
              a.name(), "<p>Cannot show it: " + Views.escape(f.problem()) + ".</p>"));
      return;
    }
    byte[] bytes = Files.readAllBytes(f.file());
    if (title.equals(Visuals.HTML)) {
      ctx.result(bytes);
    } else {
      String md = new String(bytes, StandardCharsets.UTF_8);
      ctx.result(ArtifactFiles.document(a.name(), ArtifactFiles.markdown(md)));
    }
  }

  private void download(Context ctx) throws IOException {
    Owned o = readableArtifact(ctx);
    ArtifactRecord a = o.artifact();
    ArtifactFiles.Found f = ArtifactFiles.resolve(a.uri(), actions.artifactDir(o.run()));
    if (!f.ok()) {
      throw new NotFoundException("cannot download artifact " + a.name() + ": " + f.problem());
    }
    sandboxHeaders(ctx);
    String name = f.file().getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_");
    ctx.contentType("application/octet-stream");
    ctx.header("Content-Disposition", "attachment; filename=\"" + name + "\"");
    ctx.header("Content-Length", Long.toString(Files.size(f.file())));
    ctx.result(Files.newInputStream(f.file()));
  }

  static void sandboxHeaders(Context ctx) {
    ctx.header("Content-Security-Policy", SANDBOX_CSP);
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "no-referrer");
    ctx.header("Cache-Control", "no-store");
  }

  // ------------------------------------------------------------------ compare

  /** A row of the comparison: a name (and where it came from) and each run's value. */
  public record CompareRow(String name, String source, List<String> values) {
    public boolean differs() {
      return new LinkedHashSet<>(values).size() > 1;
    }
  }

  /** A confusion matrix of one run. */
  public record Matrix(String run, String source, Visuals.Confusion confusion) {}

  private void compare(Context ctx) {
    Principal who = principal.apply(ctx);
    LinkedHashSet<String> ids = new LinkedHashSet<>();
    for (String v : ctx.queryParams("ids")) {
      for (String id : v.split(",")) {
        if (!id.isBlank()) {
          ids.add(id.strip());
        }
      }
    }
    if (ids.isEmpty()) {
      throw new IllegalArgumentException(
          "choose the runs to compare: tick them in the list of runs");
    }
    if (ids.size() > MAX_COMPARE) {
      throw new IllegalArgumentException("compare at most " + MAX_COMPARE + " runs at a time");
    }
    List<RunRecord> runs = new ArrayList<>();
    for (String id : ids) {
      runs.add(d.readableRun(who, id));
    }
    Views.Page page = d.page(ctx, "Compare runs", "runs", runs.get(0).namespace());
    int n = runs.size();

    Map<String, String[]> params = new TreeMap<>();
    Map<String, String[]> metrics = new TreeMap<>();
    Map<String, String> metricSource = new HashMap<>();
    List<Visuals.Series> series = new ArrayList<>();
    List<Matrix> matrices = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      RunRecord r = runs.get(i);
      for (Map.Entry<String, String> e : parameters(r).entrySet()) {
        params.computeIfAbsent(e.getKey(), k -> new String[n])[i] = e.getValue();
      }
      Map<String, String> paths = new HashMap<>();
      for (TaskRecord t : store.tasks().listByRun(r.id())) {
        paths.put(t.id(), t.path());
      }
      List<ArtifactRecord> classified = new ArrayList<>();
      for (ArtifactRecord a : store.artifacts().listByRun(r.id())) {
        String source = paths.getOrDefault(a.taskId(), "") + " · " + a.name();
        for (Visuals.Scalar s : Visuals.scalars(a)) {
          String key = s.name() + "\u0000" + source;
          metrics.computeIfAbsent(key, k -> new String[n])[i] = s.value();
          metricSource.put(key, source);
        }
        if (Visuals.CLASSIFICATION.equals(a.schemaTitle())) {
          classified.add(a);
        }
      }
      String name = Dashboard.runRow(r).name();
      for (ArtifactRecord a : classified) {
        String source = paths.getOrDefault(a.taskId(), "") + " · " + a.name();
        JsonNode md = Visuals.metadata(a);
        series.add(
            new Visuals.Series(
                classified.size() == 1 ? name : name + " (" + source + ")",
                md.path("confidenceMetrics")));
        Visuals.Confusion c = Visuals.confusion(md.path("confusionMatrix"));
        if (c != null) {
          matrices.add(new Matrix(name, source, c));
        }
      }
    }
    List<CompareRow> paramRows = new ArrayList<>();
    params.forEach((k, v) -> paramRows.add(new CompareRow(k, "", dashes(v))));
    List<CompareRow> metricRows = new ArrayList<>();
    metrics.forEach(
        (k, v) ->
            metricRows.add(
                new CompareRow(
                    k.substring(0, k.indexOf('\u0000')), metricSource.get(k), dashes(v))));
    Map<String, Object> m = new HashMap<>();
    m.put("page", page);
    m.put("runs", runs.stream().map(Dashboard::runRow).toList());
    m.put("parameters", paramRows);
    m.put("metrics", metricRows);
    m.put("roc", Visuals.roc(series));
    m.put("matrices", matrices);
    d.html(ctx, "compare.jte", m);
  }

  private static List<String> dashes(String[] v) {
    List<String> out = new ArrayList<>();
    for (String s : v) {
      out.add(s == null ? "–" : s);
    }
    return out;
  }

  /** A run's parameters as text: those it was given, then the defaults of the others. */
  static Map<String, String> parameters(RunRecord r) {
    Map<String, String> out = new LinkedHashMap<>();
    if (r.runtimeConfig() != null && !r.runtimeConfig().isBlank()) {
      Json.parse(r.runtimeConfig())
          .path("parameters")
          .fields()
          .forEachRemaining(e -> out.put(e.getKey(), text(e.getValue())));
    }
    try {
      for (Map.Entry<String, ParameterSpec> e : definitions(runSpec(r)).entrySet()) {
        if (!out.containsKey(e.getKey()) && e.getValue().defaultValue() != null) {
          out.put(e.getKey(), text(e.getValue().defaultValue()));
        }
      }
    } catch (RuntimeException e) {
      // a spec this version cannot read: the given parameters are all there is to show
    }
    return out;
  }

  static String text(JsonNode v) {
    if (v == null || v.isNull()) {
      return "";
    }
    return v.isTextual() ? v.asText() : Json.write(v);
  }

  private static PipelineSpec runSpec(RunRecord r) {
    return PipelineSpecReader.fromTree(PipelineEngine.pipelineTree(r)).spec();
  }

  static Map<String, ParameterSpec> definitions(PipelineSpec spec) {
    if (spec.root() == null || spec.root().inputDefinitions() == null) {
      return Map.of();
    }
    return spec.root().inputDefinitions().parameters();
  }

  // ------------------------------------------------------------------ the run form

  /** A parameter in the run form: its type and default, the value typed and what is wrong. */
  public record Field(
      String name,
      String type,
      String defaultText,
      String value,
      boolean required,
      String description,
      String error) {
    /** The form's name of the input. */
    public String input() {
      return "p." + name;
    }

    /** An id for the input and its error, from its position. */
    public String id(int i) {
      return "param-" + i;
    }

    public boolean bool() {
      return type.equals("BOOLEAN");
    }

    public boolean json() {
      return type.equals("LIST") || type.equals("STRUCT");
    }

    public boolean number() {
      return type.startsWith("NUMBER");
    }
  }

  /** The run form: what it starts, where, and its parameters. */
  public record RunForm(
      String heading,
      String action,
      String pipeline,
      String pipelineLink,
      String versionId,
      String versionName,
      String namespace,
      String displayName,
      List<Field> fields,
      String problem) {}

  /** What a form starts: a pipeline version, or the pipeline a run ran. */
  private record Target(
      String heading,
      String action,
      String pipeline,
      String pipelineLink,
      PipelineVersionRecord version,
      RunRecord from,
      PipelineSpec spec) {}

  private Target newTarget(Context ctx, String versionId) {
    Principal who = principal.apply(ctx);
    PipelineRecord p = d.readablePipeline(who, ctx.pathParam("id"));
    PipelineVersionRecord v =
        (versionId == null || versionId.isBlank()
                ? store.versions().latest(p.id())
                : store.versions().get(versionId).filter(x -> x.pipelineId().equals(p.id())))
            .orElseThrow(() -> new NotFoundException("the pipeline has no such version"));
    return new Target(
        "Create a run of " + p.displayName(),
        "/pipelines/" + Views.enc(p.id()) + "/new-run",
        p.displayName(),
        "/pipelines/" + Views.enc(p.id()),
        v,
        null,
        PipelineSpecReader.fromTree(Json.parse(v.pipelineSpec())).spec());
  }

  private Target cloneTarget(Context ctx) {
    Principal who = principal.apply(ctx);
    RunRecord r = d.readableRun(who, ctx.pathParam("id"));
    String name = Dashboard.runRow(r).name();
    return new Target(
        "Clone " + name,
        "/runs/" + Views.enc(r.id()) + "/clone",
        r.pipelineName(),
        "/runs/" + Views.enc(r.id()),
        null,
        r,
        runSpec(r));
  }

  private void newRunForm(Context ctx) {
    Target t = newTarget(ctx, ctx.queryParam("version"));
    Views.Page page = d.page(ctx, t.heading(), "pipelines", ctx.queryParam("namespace"));
    if (page.namespace() == null) {
      throw new IllegalArgumentException("choose the namespace to run it in");
    }
    access.check(principal.apply(ctx), page.namespace(), Action.WRITE);
    showForm(ctx, page, form(t, page.namespace(), null, Map.of(), Map.of(), null), false);
  }

  private void cloneForm(Context ctx) {
    Target t = cloneTarget(ctx);
    Views.Page page = d.page(ctx, t.heading(), "runs", t.from().namespace());
    access.check(principal.apply(ctx), t.from().namespace(), Action.WRITE);
    Map<String, String> values = new HashMap<>();
    if (t.from().runtimeConfig() != null && !t.from().runtimeConfig().isBlank()) {
      Json.parse(t.from().runtimeConfig())
          .path("parameters")
          .fields()
          .forEachRemaining(e -> values.put(e.getKey(), text(e.getValue())));
    }
    String name = "Clone of " + Dashboard.runRow(t.from()).name();
    showForm(ctx, page, form(t, t.from().namespace(), name, values, Map.of(), null), false);
  }

  private void startNew(Context ctx) {
    start(ctx, newTarget(ctx, ctx.formParam("version")));
  }

  private void startClone(Context ctx) {
    start(ctx, cloneTarget(ctx));
  }

  private void start(Context ctx, Target t) {
    Principal who = principal.apply(ctx);
    String namespace = ctx.formParam("namespace");
    if (namespace == null || namespace.isBlank()) {
      throw new IllegalArgumentException("choose the namespace to run it in");
    }
    access.check(who, namespace, Action.WRITE);
    String displayName = Optional.ofNullable(ctx.formParam("display_name")).orElse("").strip();
    Map<String, ParameterSpec> defs = definitions(t.spec());
    Map<String, String> values = new HashMap<>();
    Map<String, String> errors = new LinkedHashMap<>();
    Map<String, JsonNode> parameters = new LinkedHashMap<>();
    for (Map.Entry<String, ParameterSpec> e : defs.entrySet()) {
      String name = e.getKey();
      ParameterSpec def = e.getValue();
      String raw = ctx.formParam("p." + name);
      if (raw != null) {
        values.put(name, raw);
      }
      ParameterType type = type(def);
      boolean optional = def.defaultValue() != null || Boolean.TRUE.equals(def.isOptional());
      if (raw == null || raw.isEmpty() && type != ParameterType.STRING) {
        if (!optional) {
          errors.put(name, "give a value: it has no default");
        }
        continue;
      }
      if (raw.isEmpty() && !optional) {
        errors.put(name, "give a value: it has no default");
        continue;
      }
      try {
        parameters.put(name, PipelineValidator.coerceCliValue(type, raw));
      } catch (IllegalArgumentException x) {
        errors.put(name, x.getMessage());
      }
    }
    Views.Page page = d.page(ctx, t.heading(), t.from() == null ? "pipelines" : "runs", namespace);
    String problem = null;
    if (errors.isEmpty()) {
      try {
        String runId =
            actions.start(
                who,
                namespace,
                t.version() == null ? null : t.version().id(),
                t.from() == null ? null : t.from().id(),
                displayName.isEmpty() ? null : displayName,
                parameters);
        String to = "/runs/" + Views.enc(runId);
        if (ctx.header("HX-Request") != null) {
          ctx.header("HX-Redirect", to);
          d.html(ctx, "flash.jte", Map.of("message", "Run started.", "error", false));
        } else {
          ctx.redirect(to, HttpStatus.SEE_OTHER);
        }
        return;
      } catch (ValidationException x) {
        List<String> other = new ArrayList<>();
        for (Problem p : x.problems()) {
          String field = fieldOf(p.path(), defs.keySet());
          if (field != null) {
            errors.merge(field, p.reason(), (a, b) -> a + "; " + b);
          } else {
            other.add(p.toString());
          }
        }
        problem = other.isEmpty() ? null : String.join("\n", other);
      }
    }
    ctx.status(HttpStatus.BAD_REQUEST);
    showForm(
        ctx,
        page,
        form(t, namespace, displayName, values, errors, problem),
        ctx.header("HX-Request") != null);
  }

  private static String fieldOf(String path, Set<String> names) {
    if (path == null) {
      return null;
    }
    for (String prefix : new String[] {"runtime_config.parameters.", "parameters."}) {
      if (path.startsWith(prefix) && names.contains(path.substring(prefix.length()))) {
        return path.substring(prefix.length());
      }
    }
    return null;
  }

  private static ParameterType type(ParameterSpec def) {
    if (def.parameterType() != null
        && def.parameterType() != ParameterType.PARAMETER_TYPE_ENUM_UNSPECIFIED) {
      return def.parameterType();
    }
    String legacy = def.type() == null ? "" : def.type();
    return switch (legacy) {
      case "INT" -> ParameterType.NUMBER_INTEGER;
      case "DOUBLE" -> ParameterType.NUMBER_DOUBLE;
      default -> ParameterType.STRING;
    };
  }

  private RunForm form(
      Target t,
      String namespace,
      String displayName,
      Map<String, String> values,
      Map<String, String> errors,
      String problem) {
    List<Field> fields = new ArrayList<>();
    for (Map.Entry<String, ParameterSpec> e : definitions(t.spec()).entrySet()) {
      ParameterSpec def = e.getValue();
      String dflt = def.defaultValue() == null ? null : text(def.defaultValue());
      String value = values.containsKey(e.getKey()) ? values.get(e.getKey()) : dflt;
      fields.add(
          new Field(
              e.getKey(),
              type(def).name(),
              dflt,
              value == null ? "" : value,
              def.defaultValue() == null && !Boolean.TRUE.equals(def.isOptional()),
              def.description(),
              errors.get(e.getKey())));
    }
    PipelineVersionRecord v = t.version();
    return new RunForm(
        t.heading(),
        t.action(),
        t.pipeline(),
        t.pipelineLink(),
        v == null ? null : v.id(),
        v == null ? null : v.displayName(),
        namespace,
        Objects.requireNonNullElse(displayName, ""),
        fields,
        problem);
  }

  private void showForm(Context ctx, Views.Page page, RunForm form, boolean fragment) {
    if (fragment) {
      d.html(ctx, "tag/runform.jte", Map.of("form", form));
      return;
    }
    d.html(ctx, "runform.jte", Map.of("page", page, "form", form));
  }
}
