package dev.keel.server.ui;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.access.Access;
import dev.keel.access.Action;
import dev.keel.access.Authenticator;
import dev.keel.access.Principal;
import dev.keel.core.Json;
import dev.keel.pipelines.PipelineEngine;
import dev.keel.pipelines.RunState;
import dev.keel.pipelines.spec.PipelineSpec;
import dev.keel.pipelines.spec.PipelineSpecReader;
import dev.keel.store.ArtifactRecord;
import dev.keel.store.ExperimentRecord;
import dev.keel.store.Page;
import dev.keel.store.PipelineRecord;
import dev.keel.store.PipelineVersionRecord;
import dev.keel.store.ResourceRecord;
import dev.keel.store.RunRecord;
import dev.keel.store.Runs;
import dev.keel.store.Store;
import dev.keel.store.TaskRecord;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Keel's dashboard: server-rendered pages (JTE templates, precompiled at build time) for runs,
 * pipelines and Katib experiments, with htmx for fragments and server-sent events while a run runs.
 * Every page checks the caller's role in the namespace it shows exactly as the API does; what a
 * user may not read is answered with a 403 page, never with data.
 */
public final class Dashboard implements AutoCloseable {
  /** How the dashboard acts on runs: through the same code as the KFP API. */
  public interface RunActions {
    /**
     * Does {@code action} ({@code terminate} or {@code retry}) to the run, checking that {@code
     * who} may change its namespace.
     */
    void act(Principal who, String runId, String action);

    /**
     * Starts a run of a pipeline version in {@code namespace} with its parameters' defaults.
     *
     * @return the run's id
     */
    String start(Principal who, String namespace, String versionId, String displayName);

    /**
     * Starts a run in {@code namespace} with {@code parameters}: of a pipeline version, or (when
     * {@code versionId} is null) of the pipeline that run {@code fromRunId} ran.
     *
     * @return the run's id
     * @throws dev.keel.core.ValidationException naming the parameters that are wrong
     */
    default String start(
        Principal who,
        String namespace,
        String versionId,
        String fromRunId,
        String displayName,
        Map<String, JsonNode> parameters) {
      throw new UnsupportedOperationException("starting runs with parameters");
    }

    /**
     * Stores an uploaded pipeline package (IR YAML or JSON, .zip or .tar.gz) as a new pipeline in
     * {@code namespace} ({@code ""}: shared), checking that {@code who} may add there.
     *
     * @return the pipeline's id
     * @throws dev.keel.core.ValidationException naming what is wrong with the file
     */
    default String upload(
        Principal who,
        String namespace,
        String name,
        String description,
        String filename,
        byte[] content) {
      throw new UnsupportedOperationException("uploading pipelines");
    }

    /** The folder a run's artifacts lie under; null serves none of them. */
    default Path artifactDir(RunRecord run) {
      return null;
    }
  }

  /** Paths of static files, which anyone may fetch. */
  public static final String STATIC = "/ui/static/";

  private static final Set<String> SECTIONS = Set.of("/runs", "/pipelines", "/experiments");
  private static final int PAGE_SIZE = 20;
  private static final long LOG_TAIL_BYTES = Views.LOG_CAP;
  private static final String HTMX = "META-INF/resources/webjars/htmx.org/2.0.10/dist/htmx.min.js";
  private static final String SSE = "META-INF/resources/webjars/htmx-ext-sse/2.2.2/sse.js";
  private static final Map<String, String[]> FILES =
      Map.of(
          "keel.css", new String[] {"keel-ui/keel.css", "text/css; charset=utf-8"},
          "keel.js", new String[] {"keel-ui/keel.js", "text/javascript; charset=utf-8"},
          "htmx.min.js", new String[] {HTMX, "text/javascript; charset=utf-8"},
          "sse.js", new String[] {SSE, "text/javascript; charset=utf-8"});

  private final Store store;
  private final Access access;
  private final Authenticator.Mode mode;
  private final RunActions actions;
  private final Function<Context, Principal> principal;
  private final TemplateEngine templates = TemplateEngine.createPrecompiled(ContentType.Html);
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "keel-dashboard-events");
            t.setDaemon(true);
            return t;
          });
  private final Map<String, PipelineSpec> specs = new ConcurrentHashMap<>();

  public Dashboard(
      Store store,
      Access access,
      Authenticator.Mode mode,
      RunActions actions,
      Function<Context, Principal> principal) {
    this.store = store;
    this.access = access;
    this.mode = mode;
    this.actions = actions;
    this.principal = principal;
  }

  public void register(RoutesConfig r) {
    new RunPages(this, store, access, actions, principal).register(r); // before /runs/{id}
    r.get(STATIC + "{file}", this::file);
    r.get("/login", this::loginPage);
    r.get("/runs", this::runs);
    r.get("/runs/{id}", this::run);
    r.get("/runs/{id}/node", this::node);
    r.sse("/runs/{id}/events", this::events);
    r.get("/runs/{id}/node/{task}/log/stream", this::logStream);
    r.post("/runs/{id}/{action}", this::runAction);
    r.get("/pipelines", this::pipelines);
    r.post("/pipelines/upload", this::upload);
    r.get("/pipelines/{id}", this::pipeline);
    r.post("/pipelines/{id}/run", this::startRun);
    r.get("/experiments", this::experiments);
    r.get("/experiments/{namespace}/{name}", this::experiment);
  }

  /** Whether a request is for the dashboard (HTML), so errors are pages rather than JSON. */
  public static boolean isPage(Context ctx) {
    String p = ctx.path();
    if (p.equals("/") || p.equals("/login") && ctx.method().name().equals("GET")) {
      return true;
    }
    if (RunPages.isPage(p)) {
      return true;
    }
    for (String s : SECTIONS) {
      if (p.equals(s) || p.startsWith(s + "/")) {
        return true;
      }
    }
    return AdminPages.isPage(p);
  }

  @Override
  public void close() {
    ticker.shutdownNow();
  }

  // ------------------------------------------------------------------ errors and sign-in

  /**
   * Answers a refused or failed dashboard request with a page: sign-in first when nobody is signed
   * in (the login form with built-in users, else what to do), 403 for no access.
   */
  public void errorPage(Context ctx, int status, String message) {
    boolean htmx = ctx.header("HX-Request") != null;
    if (status == 401 && mode == Authenticator.Mode.USERS) {
      String login =
          Views.url("/login", "next", ctx.method().name().equals("GET") ? ctx.path() : "/");
      if (htmx) {
        ctx.header("HX-Redirect", login);
        ctx.status(401);
        ctx.result("");
      } else {
        ctx.redirect(login);
      }
      return;
    }
    String title =
        switch (status) {
          case 401 -> "Sign in to Keel";
          case 403 -> "You may not see this";
          case 404 -> "Not found";
          case 400, 409 -> "That did not work";
          default -> "Something went wrong";
        };
    String advice =
        switch (status) {
          case 401 ->
              mode == Authenticator.Mode.TOKEN
                  ? "Open the URL that 'keel server' printed when it started (it carries a token and"
                      + " signs this browser in), or restart the server to get a new one."
                  : "Keel takes who you are from the proxy in front of it. Open the dashboard"
                      + " through that proxy, signed in.";
          case 403 ->
              "Ask the namespace's owner to add you as a contributor (keel profiles"
                  + " add-contributor), or choose a namespace you may view.";
          case 404 -> "It may have been deleted. Start again from the home page.";
          default -> "";
        };
    ctx.status(status);
    if (htmx) {
      ctx.header("HX-Retarget", "#flash");
      ctx.header("HX-Reswap", "innerHTML");
      html(ctx, "flash.jte", Map.of("message", message == null ? title : message, "error", true));
      return;
    }
    Views.Page page = new Views.Page(title, "", null, false, List.of(), null);
    html(
        ctx,
        "error.jte",
        Map.of(
            "page",
            page,
            "status",
            status,
            "message",
            message == null ? "" : message,
            "advice",
            advice));
  }

  private void loginPage(Context ctx) {
    if (mode != Authenticator.Mode.USERS) {
      ctx.redirect("/");
      return;
    }
    loginForm(ctx, null);
  }

  /** The sign-in form, with what went wrong last time. */
  public void loginForm(Context ctx, String problem) {
    String next =
        safeNext(ctx.queryParam("next") != null ? ctx.queryParam("next") : ctx.formParam("next"));
    Views.Page page = new Views.Page("Sign in", "", null, false, List.of(), null);
    Map<String, Object> m = new HashMap<>();
    m.put("page", page);
    m.put("next", next);
    m.put("problem", problem);
    html(ctx, "login.jte", m);
  }

  /** A path on this server to go to after signing in; anything else goes home. */
  public static String safeNext(String next) {
    if (next == null || !next.startsWith("/") || next.startsWith("//") || next.contains("\\")) {
      return "/";
    }
    return next;
  }

  // ------------------------------------------------------------------ static files

  private void file(Context ctx) throws IOException {
    String[] f = FILES.get(ctx.pathParam("file"));
    if (f == null) {
      ctx.status(404).result("no such file");
      return;
    }
    try (InputStream in = Dashboard.class.getClassLoader().getResourceAsStream(f[0])) {
      if (in == null) {
        ctx.status(404).result("missing from the classpath: " + f[0]);
        return;
      }
      ctx.contentType(f[1]);
      ctx.header("Cache-Control", "max-age=300");
      ctx.result(in.readAllBytes());
    }
  }

  // ------------------------------------------------------------------ home

  /** The home page: recent runs, pipelines and experiments of the chosen namespace. */
  public void home(Context ctx) {
    Views.Page page = page(ctx, "Home", "home");
    Map<String, Object> m = new HashMap<>();
    m.put("page", page);
    if (page.namespace() == null) {
      m.put("runs", List.of());
      m.put("pipelines", pipelineRows(null, 5));
      m.put("experiments", List.of());
    } else {
      m.put(
          "runs",
          store.runs().list(page.namespace(), null, 50, "", Runs.Sort.NEWEST_FIRST).items().stream()
              .filter(r -> !"ARCHIVED".equals(r.storageState())) // as the runs list's Active tab
              .limit(8)
              .map(Dashboard::runRow)
              .toList());
      m.put("pipelines", pipelineRows(page.namespace(), 5));
      m.put("experiments", experimentRows(page.namespace()).stream().limit(5).toList());
    }
    html(ctx, "home.jte", m);
  }

  // ------------------------------------------------------------------ runs

  private void runs(Context ctx) {
    Views.Page page = page(ctx, "Runs", "runs");
    String state = upper(ctx.queryParam("state"));
    // as KFP's UI: active runs by default, archived ones on their own tab
    boolean archived = "true".equals(ctx.queryParam("archived"));
    String archivedParam = archived ? "true" : null;
    boolean oldestFirst = "created_at".equals(ctx.queryParam("sort"));
    Runs.Sort sort = new Runs.Sort("created_at", !oldestFirst);
    List<Views.RunRow> rows = new ArrayList<>();
    String next = "";
    long total = 0;
    if (page.namespace() != null) {
      String token = Optional.ofNullable(ctx.queryParam("page_token")).orElse("");
      Page<RunRecord> p;
      try {
        p = store.runs().list(page.namespace(), null, PAGE_SIZE, token, sort);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("that page of runs is gone; start from the first page");
      }
      total = p.totalSize();
      while (true) {
        for (RunRecord r : p.items()) {
          if ((state == null || state.equals(r.state()))
              && "ARCHIVED".equals(r.storageState()) == archived) {
            rows.add(runRow(r));
          }
        }
        next = p.nextPageToken();
        if (rows.size() >= PAGE_SIZE || next.isEmpty()) {
          break;
        }
        p = store.runs().list(page.namespace(), null, PAGE_SIZE, next, sort);
      }
    }
    String sortParam = oldestFirst ? "created_at" : null;
    Map<String, Object> m = new HashMap<>();
    m.put("page", page);
    m.put("runs", rows);
    m.put("state", state == null ? "" : state);
    m.put("states", List.of(RunState.values()).stream().map(Enum::name).toList());
    m.put("oldestFirst", oldestFirst);
    m.put("archived", archived);
    m.put(
        "activeLink",
        Views.url("/runs", "namespace", page.namespace(), "state", state, "sort", sortParam));
    m.put(
        "archivedLink",
        Views.url(
            "/runs",
            "namespace",
            page.namespace(),
            "archived",
            "true",
            "state",
            state,
            "sort",
            sortParam));
    m.put(
        "paging",
        new Views.Paging(
            Views.url(
                "/runs",
                "namespace",
                page.namespace(),
                "archived",
                archivedParam,
                "state",
                state,
                "sort",
                sortParam),
            next.isEmpty()
                ? null
                : Views.url(
                    "/runs",
                    "namespace",
                    page.namespace(),
                    "archived",
                    archivedParam,
                    "state",
                    state,
                    "sort",
                    sortParam,
                    "page_token",
                    next),
            total));
    m.put(
        "sortLink",
        Views.url(
            "/runs",
            "namespace",
            page.namespace(),
            "archived",
            archivedParam,
            "state",
            state,
            "sort",
            oldestFirst ? null : "created_at"));
    html(ctx, "runs.jte", m);
  }

  private void run(Context ctx) {
    Principal who = principal.apply(ctx);
    RunRecord r = readableRun(who, ctx.pathParam("id"));
    Views.Page page = page(ctx, r.displayName(), "runs", r.namespace());
    Map<String, Object> m = new HashMap<>();
    m.put("page", page);
    m.put("live", live(r, access.can(who, r.namespace(), Action.WRITE), ctx.queryParam("dag")));
    m.put("error", r.error());
    m.put("pipelineVersion", r.pipelineVersionId());
    m.put("archived", "ARCHIVED".equals(r.storageState()));
    String node = ctx.queryParam("node");
    m.put("panel", node == null ? null : panel(r, node));
    html(ctx, "run.jte", m);
  }

  /**
   * The part of a run's page that changes while it runs: state, the graph of the level {@code dag}
   * names (the root when null) and that level's tasks.
   */
  private Views.Live live(RunRecord r, boolean canWrite, String dag) {
    List<TaskRecord> tasks = store.tasks().listByRun(r.id());
    PipelineSpec spec = runSpec(r);
    RunGraph.Level level = RunGraph.resolve(spec, tasks, dag);
    String runPage = "/runs/" + Views.enc(r.id());
    return new Views.Live(
        runRow(r),
        canWrite,
        RunGraph.draw(spec, level, tasks, runPage),
        runPage + "/node",
        tasks.stream().filter(t -> level.holds(t.path())).map(Dashboard::taskRow).toList(),
        level.dag(),
        level.crumbs().stream()
            .map(c -> new Views.Crumb(c.label(), Views.url(runPage, "dag", c.dag())))
            .toList());
  }

  private PipelineSpec runSpec(RunRecord r) {
    if (specs.size() > 256) {
      specs.clear();
    }
    return specs.computeIfAbsent(
        r.id(), id -> PipelineSpecReader.fromTree(PipelineEngine.pipelineTree(r)).spec());
  }

  private void node(Context ctx) {
    Principal who = principal.apply(ctx);
    RunRecord r = readableRun(who, ctx.pathParam("id"));
    String task = ctx.queryParam("task");
    if (task == null || task.isBlank()) {
      throw new IllegalArgumentException("say which task: ?task=<name or id>");
    }
    html(ctx, "node.jte", Map.of("panel", panel(r, task)));
  }

  /** The side panel of a node: the task, its inputs and outputs, artifacts and log. */
  private Views.Panel panel(RunRecord r, String node) {
    List<TaskRecord> tasks = store.tasks().listByRun(r.id());
    Optional<TaskRecord> found =
        tasks.stream().filter(t -> t.id().equals(node) || t.path().equals(node)).findFirst();
    String base = "/runs/" + Views.enc(r.id()) + "/node";
    if (found.isEmpty()) {
      return new Views.Panel(
          r.id(), node, base, null, List.of(), List.of(), List.of(), List.of(), null, null, null);
    }
    TaskRecord t = found.get();
    List<Views.ArtifactRow> artifacts = new ArrayList<>();
    for (ArtifactRecord a : store.artifacts().listByTask(t.id())) {
      artifacts.add(RunPages.row(a, actions.artifactDir(r)));
    }
    List<Views.TaskRow> children =
        tasks.stream()
            .filter(c -> c.path().startsWith(t.path() + "/") || c.path().startsWith(t.path() + "("))
            .map(Dashboard::taskRow)
            .toList();
    String runPage = "/runs/" + Views.enc(r.id());
    String open = null;
    try {
      RunGraph.resolve(runSpec(r), tasks, t.path());
      open = Views.url(runPage, "dag", t.id());
    } catch (dev.keel.store.NotFoundException e) {
      // a task without tasks of its own
    }
    LogTail log = logTail(t);
    boolean running = "PENDING".equals(t.state()) || "RUNNING".equals(t.state());
    String stream =
        running && open == null
            ? Views.url(
                base + "/" + Views.enc(t.id()) + "/log/stream",
                "from",
                Long.toString(log == null ? 0 : log.end()))
            : null;
    return new Views.Panel(
        r.id(),
        node,
        base,
        taskRow(t),
        entries(t.inputs()),
        entries(t.outputs()),
        artifacts,
        children,
        log == null ? null : log.text(),
        stream,
        open);
  }

  /** Parameters (as JSON) and artifacts (their URIs) of a task's inputs or outputs. */
  static List<Views.Entry> entries(String io) {
    List<Views.Entry> out = new ArrayList<>();
    if (io == null || io.isBlank()) {
      return out;
    }
    JsonNode n = Json.parse(io);
    n.path("parameters")
        .fields()
        .forEachRemaining(
            e ->
                out.add(
                    new Views.Entry(
                        e.getKey(),
                        e.getValue().isTextual()
                            ? e.getValue().asText()
                            : Json.write(e.getValue()))));
    n.path("artifacts")
        .fields()
        .forEachRemaining(
            e -> {
              List<String> uris = new ArrayList<>();
              e.getValue().forEach(a -> uris.add(a.path("uri").asText(a.toString())));
              out.add(new Views.Entry(e.getKey() + " (artifact)", String.join("\n", uris)));
            });
    return out;
  }

  /** The end of a task's log: its text, and how long the log was when it was read. */
  record LogTail(String text, long end) {}

  /** The last 64 KiB of a task's log, or null when it ran no process. */
  static LogTail logTail(TaskRecord t) {
    if (t.logPath() == null) {
      return null;
    }
    Path p = Path.of(t.logPath());
    if (!Files.isRegularFile(p)) {
      return null;
    }
    try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "r")) {
      long len = f.length();
      long from = Math.max(0, len - LOG_TAIL_BYTES);
      byte[] buf = new byte[(int) (len - from)];
      f.seek(from);
      f.readFully(buf);
      String s = new String(buf, StandardCharsets.UTF_8);
      return new LogTail(from > 0 ? "… (the first " + from + " bytes are left out)\n" + s : s, len);
    } catch (IOException e) {
      return new LogTail("cannot read the log: " + e.getMessage(), 0);
    }
  }

  /**
   * Server-sent events that follow a task's log while it runs: {@code log} with the lines appended
   * (escaped HTML), then {@code end} and {@code done} once the task has ended. Checked like the
   * run's page: a user who may not read the namespace gets a 403 and no stream.
   */
  private void logStream(Context ctx) throws Exception {
    Principal who = principal.apply(ctx);
    RunRecord r = readableRun(who, ctx.pathParam("id"));
    String key = ctx.pathParam("task");
    TaskRecord t =
        store
            .tasks()
            .get(key)
            .filter(x -> x.runId().equals(r.id()))
            .or(() -> store.tasks().getByPath(r.id(), key))
            .orElseThrow(
                () ->
                    new dev.keel.store.NotFoundException("run " + r.id() + " has no task " + key));
    // a reconnecting EventSource says how far it had read
    long from = position(ctx.header("Last-Event-ID"));
    if (from < 0) {
      from = position(ctx.queryParam("from"));
    }
    LogStream log = new LogStream(store.tasks(), t.id(), from, LOG_TAIL_BYTES);
    new SseHandler(client -> follow(client, log)).handle(ctx);
  }

  private static long position(String s) {
    if (s == null || s.isBlank()) {
      return -1;
    }
    try {
      return Math.max(-1, Long.parseLong(s.strip()));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private void follow(SseClient client, LogStream log) {
    client.keepAlive();
    every(
        client,
        250,
        () -> {
          if (client.terminated()) {
            return;
          }
          for (LogStream.Event e : log.poll()) {
            if (e.id() == null) {
              client.sendEvent(e.name(), e.data());
            } else {
              client.sendEvent(e.name(), e.data(), e.id());
            }
          }
          if (log.done()) {
            client.close();
          }
        });
  }

  /**
   * Runs {@code tick} for an event stream every {@code periodMs} until the client goes away; a tick
   * that throws closes the stream.
   */
  private void every(SseClient client, long periodMs, Runnable tick) {
    var future =
        ticker.scheduleWithFixedDelay(
            () -> {
              try {
                tick.run();
              } catch (RuntimeException e) {
                client.close();
              }
            },
            0,
            periodMs,
            TimeUnit.MILLISECONDS);
    client.onClose(() -> future.cancel(false));
  }

  /**
   * Server-sent events while a run runs: {@code run} with the new state, graph and tasks whenever
   * they change, then {@code done} once it has ended.
   */
  private void events(SseClient client) {
    Context ctx = client.ctx();
    Principal who = principal.apply(ctx);
    String id = ctx.pathParam("id");
    Optional<RunRecord> first = store.runs().get(id);
    if (first.isEmpty() || !access.can(who, first.get().namespace(), Action.READ)) {
      client.sendEvent("done", "done");
      client.close();
      return;
    }
    client.keepAlive();
    boolean canWrite = access.can(who, first.get().namespace(), Action.WRITE);
    String dag = ctx.queryParam("dag");
    String[] last = {null};
    Runnable tick =
        () -> {
          if (client.terminated()) {
            return;
          }
          Optional<RunRecord> now = store.runs().get(id);
          if (now.isEmpty()) {
            client.sendEvent("done", "done");
            client.close();
            return;
          }
          RunRecord r = now.get();
          String sig = signature(r);
          if (!sig.equals(last[0])) {
            last[0] = sig;
            Views.Live live;
            try {
              live = live(r, canWrite, dag);
            } catch (dev.keel.store.NotFoundException e) {
              // no such level: nothing to follow (and no reason to reconnect)
              client.sendEvent("done", "done");
              client.close();
              return;
            }
            client.sendEvent("run", render("run_live.jte", Map.of("live", live)));
          }
          if (RunState.valueOf(r.state()).isTerminal()) {
            client.sendEvent("done", "done");
            client.close();
          }
        };
    every(client, 500, tick);
  }

  private String signature(RunRecord r) {
    StringBuilder b = new StringBuilder(r.state());
    for (TaskRecord t : store.tasks().listByRun(r.id())) {
      b.append('|').append(t.path()).append('=').append(t.state()).append(t.attempt());
    }
    return b.toString();
  }

  private void runAction(Context ctx) {
    Principal who = principal.apply(ctx);
    String action = ctx.pathParam("action");
    if (!Set.of("terminate", "retry", "archive", "unarchive").contains(action)) {
      ctx.status(404);
      errorPage(ctx, 404, "runs have no action '" + action + "'");
      return;
    }
    RunRecord r = readableRun(who, ctx.pathParam("id"));
    actions.act(who, r.id(), action);
    ctx.header("HX-Redirect", "/runs/" + Views.enc(r.id()));
    html(
        ctx,
        "flash.jte",
        Map.of(
            "message",
            switch (action) {
              case "retry" -> "Retrying the run.";
              case "archive" -> "Archived the run.";
              case "unarchive" -> "Restored the run.";
              default -> "Terminating the run.";
            },
            "error",
            false));
  }

  RunRecord readableRun(Principal who, String id) {
    RunRecord r =
        store
            .runs()
            .get(id)
            .orElseThrow(() -> new dev.keel.store.NotFoundException("no run " + id));
    access.check(who, r.namespace(), Action.READ);
    return r;
  }

  // ------------------------------------------------------------------ pipelines

  private void pipelines(Context ctx) {
    Views.Page page = page(ctx, "Pipelines", "pipelines");
    Map<String, Object> m = new HashMap<>();
    m.put("page", page);
    m.put("pipelines", pipelineRows(page.namespace(), 200));
    m.put("error", null);
    html(ctx, "pipelines.jte", m);
  }

  /**
   * The upload form's POST: the pipeline is stored and its page opened, or the list comes back with
   * what is wrong with the file next to the form.
   */
  private void upload(Context ctx) {
    Principal who = principal.apply(ctx);
    String target = ctx.formParam("target");
    String namespace = "shared".equals(target) || target == null ? "" : target;
    var file = ctx.uploadedFile("uploadfile");
    String error = null;
    String id = null;
    if (file == null || file.filename() == null || file.filename().isBlank()) {
      error = "choose a compiled pipeline file (IR YAML or JSON, .zip or .tar.gz)";
    } else {
      try (var in = file.content()) {
        String name = ctx.formParam("name");
        id =
            actions.upload(
                who,
                namespace,
                name == null || name.isBlank() ? null : name.strip(),
                ctx.formParam("description"),
                file.filename(),
                in.readAllBytes());
      } catch (dev.keel.core.ValidationException e) {
        error =
            e.problems().stream()
                .map(p -> p.path() + ": " + p.reason())
                .collect(java.util.stream.Collectors.joining("; "));
      } catch (java.io.IOException e) {
        error = "cannot read the upload: " + e.getMessage();
      }
    }
    if (id != null) {
      ctx.header("HX-Redirect", "/pipelines/" + Views.enc(id));
      ctx.status(201);
      return;
    }
    Views.Page page = page(ctx, "Pipelines", "pipelines");
    Map<String, Object> m = new HashMap<>();
    m.put("page", page);
    m.put("pipelines", pipelineRows(page.namespace(), 200));
    m.put("error", error);
    ctx.status(400);
    html(ctx, "pipelines.jte", m);
  }

  /** The shared pipelines and those of the namespace (when one is chosen), newest first. */
  private List<Views.PipelineRow> pipelineRows(String namespace, int max) {
    List<PipelineRecord> all = new ArrayList<>(store.pipelines().list("", max, "").items());
    if (namespace != null) {
      all.addAll(store.pipelines().list(namespace, max, "").items());
    }
    all.sort(Comparator.comparing(PipelineRecord::createdAt).reversed());
    return all.stream()
        .limit(max)
        .map(
            p ->
                new Views.PipelineRow(
                    p.id(), p.displayName(), p.description(), p.namespace(), p.createdAt()))
        .toList();
  }

  private void pipeline(Context ctx) {
    Principal who = principal.apply(ctx);
    PipelineRecord p = readablePipeline(who, ctx.pathParam("id"));
    Views.Page page =
        page(
            ctx,
            p.displayName(),
            "pipelines",
            p.namespace().isEmpty() ? ctx.queryParam("namespace") : p.namespace());
    List<PipelineVersionRecord> versions = store.versions().list(p.id(), 50, "").items();
    String wanted = ctx.queryParam("version");
    PipelineVersionRecord v =
        versions.stream()
            .filter(x -> x.id().equals(wanted))
            .findFirst()
            .orElse(versions.isEmpty() ? null : versions.get(0));
    Map<String, Object> m = new HashMap<>();
    m.put("page", page);
    m.put(
        "pipeline",
        new Views.PipelineRow(
            p.id(), p.displayName(), p.description(), p.namespace(), p.createdAt()));
    m.put("versions", versions);
    m.put("version", v);
    m.put(
        "canRun",
        page.namespace() != null && access.can(who, page.namespace(), Action.WRITE) && v != null);
    if (v != null) {
      JsonNode tree = Json.parse(v.pipelineSpec());
      m.put("drawing", PipelineGraph.draw(PipelineSpecReader.fromTree(tree).spec(), Map.of()));
      m.put("yaml", yaml(v));
    } else {
      m.put("drawing", DagLayout.layout(List.of(), List.of()));
      m.put("yaml", "");
    }
    html(ctx, "pipeline.jte", m);
  }

  private static String yaml(PipelineVersionRecord v) {
    try {
      String s = Json.yaml().writeValueAsString(Json.parse(v.pipelineSpec()));
      if (v.platformSpec() != null) {
        s += Json.yaml().writeValueAsString(Json.parse(v.platformSpec()));
      }
      return s;
    } catch (IOException e) {
      return v.pipelineSpec();
    }
  }

  private void startRun(Context ctx) {
    Principal who = principal.apply(ctx);
    PipelineRecord p = readablePipeline(who, ctx.pathParam("id"));
    String namespace = ctx.queryParam("namespace");
    if (namespace == null || namespace.isBlank()) {
      namespace = p.namespace().isEmpty() ? null : p.namespace();
    }
    if (namespace == null) {
      throw new IllegalArgumentException("choose the namespace to run it in");
    }
    access.check(who, namespace, Action.WRITE);
    String versionId = ctx.queryParam("version");
    PipelineVersionRecord v =
        (versionId == null || versionId.isBlank()
                ? store.versions().latest(p.id())
                : store.versions().get(versionId).filter(x -> x.pipelineId().equals(p.id())))
            .orElseThrow(() -> new IllegalArgumentException("the pipeline has no such version"));
    String runId = actions.start(who, namespace, v.id(), p.displayName());
    ctx.header("HX-Redirect", "/runs/" + Views.enc(runId));
    html(ctx, "flash.jte", Map.of("message", "Run started.", "error", false));
  }

  PipelineRecord readablePipeline(Principal who, String id) {
    PipelineRecord p =
        store
            .pipelines()
            .get(id)
            .orElseThrow(() -> new dev.keel.store.NotFoundException("no pipeline " + id));
    if (!p.namespace().isEmpty()) {
      access.check(who, p.namespace(), Action.READ);
    }
    return p;
  }

  // ------------------------------------------------------------------ experiments

  private void experiments(Context ctx) {
    Views.Page page = page(ctx, "Experiments", "experiments");
    Map<String, Object> m = new HashMap<>();
    m.put("page", page);
    m.put("experiments", page.namespace() == null ? List.of() : experimentRows(page.namespace()));
    html(ctx, "experiments.jte", m);
  }

  private List<Views.ExperimentRow> experimentRows(String namespace) {
    List<Views.ExperimentRow> rows = new ArrayList<>();
    for (ResourceRecord r : store.resources().list("Experiment", namespace)) {
      JsonNode d = Json.parse(r.document());
      JsonNode s = d.path("status");
      JsonNode best = s.at("/currentOptimalTrial/observation/metrics");
      String metric = d.at("/spec/objective/objectiveMetricName").asText("");
      String bestValue = "";
      for (JsonNode x : best) {
        if (x.path("name").asText().equals(metric)) {
          bestValue = x.path("latest").asText(x.path("max").asText(""));
        }
      }
      rows.add(
          new Views.ExperimentRow(
              r.namespace(),
              r.name(),
              Katib.condition(d),
              d.at("/spec/objective/type").asText("") + " " + metric,
              d.at("/spec/algorithm/algorithmName").asText(""),
              s.path("trials").asInt(0),
              s.path("trialsSucceeded").asInt(0),
              s.path("trialsRunning").asInt(0),
              s.path("trialsFailed").asInt(0),
              bestValue,
              r.createdAt()));
    }
    rows.sort(Comparator.comparing(Views.ExperimentRow::created).reversed());
    return rows;
  }

  private void experiment(Context ctx) {
    Principal who = principal.apply(ctx);
    String namespace = ctx.pathParam("namespace");
    access.check(who, namespace, Action.READ);
    String name = ctx.pathParam("name");
    ResourceRecord r =
        store
            .resources()
            .get("Experiment", namespace, name)
            .orElseThrow(
                () ->
                    new dev.keel.store.NotFoundException(
                        "no experiment " + name + " in namespace " + namespace));
    Views.Page page = page(ctx, name, "experiments", namespace);
    Katib.Detail detail = Katib.detail(r, store.resources().owned(r.uid()));
    String sort = Optional.ofNullable(ctx.queryParam("sort")).orElse("");
    List<Views.TrialRow> trials = new ArrayList<>(detail.trials());
    Comparator<Views.TrialRow> byObjective =
        Comparator.comparing(
            Views.TrialRow::objective, Comparator.nullsLast(Comparator.naturalOrder()));
    switch (sort) {
      case "objective" -> trials.sort(byObjective);
      case "-objective" ->
          trials.sort(
              Comparator.comparing(
                  Views.TrialRow::objective, Comparator.nullsLast(Comparator.reverseOrder())));
      case "name" -> trials.sort(Comparator.comparing(Views.TrialRow::name));
      default -> {
        sort = "";
      }
    }
    List<Charts.Trial> inOrder =
        detail.trials().stream()
            .map(t -> new Charts.Trial(t.name(), t.parameters(), t.objective()))
            .toList();
    Map<String, Object> m = new HashMap<>();
    m.put("page", page);
    m.put("detail", detail);
    m.put("trials", trials);
    m.put("sort", sort);
    String base = "/experiments/" + Views.enc(namespace) + "/" + Views.enc(name);
    m.put("base", base);
    m.put("line", Charts.objective(inOrder, detail.maximize()));
    m.put(
        "parallel",
        Charts.parallel(inOrder, detail.parameters(), detail.metric(), detail.maximize()));
    html(ctx, "experiment.jte", m);
  }

  // ------------------------------------------------------------------ helpers

  /**
   * The frame of a page in the namespace the request names ({@code ?namespace=}), or the first the
   * user may view; the namespace is checked as the API checks it.
   */
  private Views.Page page(Context ctx, String title, String section) {
    return page(ctx, title, section, ctx.queryParam("namespace"));
  }

  Views.Page page(Context ctx, String title, String section, String namespace) {
    Principal who = principal.apply(ctx);
    List<String> namespaces = namespaces(who);
    String ns = namespace == null || namespace.isBlank() ? null : namespace;
    if (ns != null) {
      access.check(who, ns, Action.READ);
    } else if (!namespaces.isEmpty()) {
      ns = namespaces.contains("default") ? "default" : namespaces.get(0);
    }
    if (ns != null && !namespaces.contains(ns)) {
      namespaces = new ArrayList<>(namespaces);
      namespaces.add(ns);
    }
    boolean canLogOut = mode == Authenticator.Mode.USERS;
    return new Views.Page(title, section, who.name(), canLogOut, namespaces, ns);
  }

  /**
   * The namespaces {@code who} may view: their profiles' and those they contribute to; a cluster
   * admin (the token holder among them) sees every namespace that has something in it.
   */
  List<String> namespaces(Principal who) {
    TreeSet<String> ns = new TreeSet<>(access.namespaces(who));
    if (who.clusterAdmin()) {
      ns.add("default");
      for (ResourceRecord r : store.resources().list("Experiment", null)) {
        ns.add(r.namespace());
      }
      for (ExperimentRecord e : store.experiments().list(null, 200, "").items()) {
        ns.add(e.namespace());
      }
    }
    return List.copyOf(ns);
  }

  static Views.RunRow runRow(RunRecord r) {
    return new Views.RunRow(
        r.id(),
        r.displayName() == null || r.displayName().isBlank() ? r.id() : r.displayName(),
        r.state(),
        r.pipelineName(),
        r.namespace(),
        r.createdAt(),
        r.finishedAt());
  }

  static Views.TaskRow taskRow(TaskRecord t) {
    return new Views.TaskRow(
        t.id(),
        t.path(),
        t.displayName() == null ? t.name() : t.displayName(),
        t.componentName(),
        t.state(),
        t.attempt(),
        t.startedAt(),
        t.finishedAt(),
        t.error());
  }

  private static String upper(String s) {
    return s == null || s.isBlank() ? null : s.strip().toUpperCase(Locale.ROOT);
  }

  private String render(String template, Map<String, Object> model) {
    StringOutput out = new StringOutput();
    templates.render(template, model, out);
    return out.toString();
  }

  void html(Context ctx, String template, Map<String, Object> model) {
    ctx.header("Cache-Control", "no-store");
    ctx.contentType("text/html; charset=utf-8").result(render(template, model));
  }

  static <K, V> Map<K, V> ordered() {
    return new LinkedHashMap<>();
  }
}
