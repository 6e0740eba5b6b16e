package dev.keel.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.access.Access;
import dev.keel.access.AccessDeniedException;
import dev.keel.access.Authenticator;
import dev.keel.access.Principal;
import dev.keel.core.Json;
import dev.keel.core.Problem;
import dev.keel.core.ValidationException;
import dev.keel.pipelines.PipelineEngine;
import dev.keel.pipelines.schedule.RecurringRunService;
import dev.keel.runtime.WorkloadRuntime;
import dev.keel.server.ui.AdminPages;
import dev.keel.server.ui.Dashboard;
import dev.keel.store.ConflictException;
import dev.keel.store.NotFoundException;
import dev.keel.store.Store;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.HttpStatus;
import io.javalin.http.SameSite;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Keel's HTTP server: the KFP v2beta1 REST API and Katib's resources ({@link KatibApi}), behind
 * authentication and per-namespace authorisation, over one store and one pipeline engine. Route
 * groups (such as {@link KfpApi}) register themselves on the routes; every refusal is a JSON error,
 * never a stack trace.
 *
 * <p>Errors have KFP's shape, {@code {"code": <gRPC code>, "message", "details"}}, where a bad
 * field appears as a {@code google.rpc.BadRequest} field violation with its path.
 */
public final class KeelServer implements AutoCloseable {
  /** Paths anyone may call: health checks for probes and clients that test the connection. */
  private static final Set<String> PUBLIC =
      Set.of(
          "/healthz",
          "/apis/v2beta1/healthz",
          "/login",
          OidcLogin.CALLBACK_PATH,
          OidcLogin.LOGIN_PATH);

  static final String PRINCIPAL = "keel.principal";
  private static final String ERROR_WRITTEN = "keel.error";

  private final Javalin app;
  private final String host;
  private final Authenticator auth;
  private final Access access;
  private final OidcLogin oidc;
  private final RecurringRunService scheduler;
  private final KatibApi katib;
  private final Dashboard dashboard;
  private final List<String> resumedExperiments;
  private final PrometheusMeterRegistry metrics =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private static final String STARTED = "keel.started";

  private KeelServer(Builder b) {
    new JvmMemoryMetrics().bindTo(metrics);
    new JvmThreadMetrics().bindTo(metrics);
    new ProcessorMetrics().bindTo(metrics);
    new UptimeMetrics().bindTo(metrics);
    this.host = b.host;
    this.auth = b.authenticator;
    this.access = b.access;
    this.oidc = b.oidc;
    if (oidc != null && auth.mode() != Authenticator.Mode.USERS) {
      throw new IllegalArgumentException(
          "OIDC sign-in works with the users authenticator (sessions and API tokens), not "
              + auth.mode());
    }
    KfpApi kfp = new KfpApi(b.store, b.engine, b.access, b.clock, b.version, auth.mode());
    this.scheduler =
        b.scheduler != null
            ? b.scheduler
            : new RecurringRunService(b.store, b.engine, b.clock, System.out::println);
    RecurringRunsApi recurring = new RecurringRunsApi(b.store, b.access, scheduler, kfp);
    this.katib =
        new KatibApi(
            b.store,
            b.engine,
            b.access,
            b.runtime,
            b.dataDir,
            b.clock,
            b.maxExperiments,
            System.out::println);
    this.dashboard =
        new Dashboard(
            b.store, b.access, auth.mode(), kfp.dashboardActions(), KeelServer::principal);
    this.app =
        Javalin.create(
            cfg -> {
              cfg.startup.showJavalinBanner = false;
              cfg.startup.showOldJavalinVersionWarning = false;
              RoutesConfig routes = cfg.routes;
              routes.before(ctx -> ctx.attribute(STARTED, System.nanoTime()));
              routes.before(KeelServer::refuseOversized);
              routes.before(this::authenticate);
              routes.after(this::measure);
              routes.get(
                  "/metrics",
                  ctx ->
                      ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                          .result(metrics.scrape()));
              errors(routes);
              routes.get("/", this::home);
              routes.post("/login", this::login);
              routes.post("/logout", this::logout);
              routes.get(OidcLogin.LOGIN_PATH, this::oidcLogin);
              routes.get(OidcLogin.CALLBACK_PATH, this::oidcCallback);
              routes.get(
                  "/healthz", ctx -> json(ctx, Json.json().createObjectNode().put("status", "ok")));
              kfp.register(routes);
              recurring.register(routes);
              katib.register(routes);
              dashboard.register(routes);
              new AdminPages(
                      dashboard,
                      b.store,
                      b.access,
                      auth.mode(),
                      recurring.pages(),
                      KeelServer::principal)
                  .register(routes);
            });
    try {
      app.start(b.host, b.port);
    } catch (RuntimeException e) {
      dashboard.close();
      katib.close();
      throw e;
    }
    try {
      this.resumedExperiments = katib.resumeUnfinished();
    } catch (RuntimeException e) {
      katib.close();
      dashboard.close();
      app.stop();
      throw e;
    }
    if (b.schedulerPeriod != null) {
      scheduler.start(b.schedulerPeriod);
    }
  }

  public static Builder builder(Store store, PipelineEngine engine, Authenticator authenticator) {
    return new Builder(store, engine, authenticator);
  }

  /** The port it listens on (the one given, or the one the system chose for port 0). */
  public int port() {
    return app.port();
  }

  /** Its base URL, e.g. {@code http://127.0.0.1:8080}. */
  public String url() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return "http://" + h + ":" + port();
  }

  /** The URL to open in a browser: in token mode it carries the token once. */
  public String loginUrl() {
    return auth.mode() == Authenticator.Mode.TOKEN
        ? url() + "/?token=" + auth.token()
        : url() + "/";
  }

  /** The recurring runs' scheduler, which this server ticks while it runs. */
  public RecurringRunService scheduler() {
    return scheduler;
  }

  /**
   * The experiments ({@code namespace/name}) this server took over at start from a process that
   * ended before they did, and carries on.
   */
  public List<String> resumedExperiments() {
    return resumedExperiments;
  }

  @Override
  public void close() {
    scheduler.close();
    katib.close();
    dashboard.close();
    app.stop();
  }

  /** Times every request by method, route template and status (Prometheus: /metrics). */
  private void measure(Context ctx) {
    Long started = ctx.attribute(STARTED);
    if (started == null) {
      return;
    }
    io.javalin.router.Endpoint matched = null;
    try {
      matched = ctx.endpoints().matchedHttpEndpoint();
    } catch (RuntimeException e) {
      // refused before any route matched
    }
    String route = matched == null ? "unmatched" : matched.path;
    Timer.builder("http.server.requests")
        .tag("method", ctx.method().name())
        .tag("route", route)
        .tag("status", Integer.toString(ctx.statusCode()))
        .register(metrics)
        .record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  // ------------------------------------------------------------------ authentication

  private void authenticate(Context ctx) {
    if (PUBLIC.contains(ctx.path()) || ctx.path().startsWith(Dashboard.STATIC)) {
      return;
    }
    if (ctx.path().equals("/") && auth.isServerToken(ctx.queryParam("token"))) {
      return; // home() turns the token into a session
    }
    if (oidc != null) {
      String jwt = bearerJwt(ctx);
      if (jwt != null) {
        try {
          String user = oidc.userOfBearer(jwt);
          ctx.attribute(PRINCIPAL, new Principal(user, access.isClusterAdmin(user)));
          return;
        } catch (OidcException e) {
          throw new ApiError(401, ApiError.UNAUTHENTICATED, e.getMessage(), List.of());
        }
      }
    }
    Authenticator.Result who = auth.authenticate(request(ctx));
    if (!who.ok()) {
      if (oidc != null && isBrowserPage(ctx)) {
        redirectToProvider(
            ctx, ctx.path() + (ctx.queryString() == null ? "" : "?" + ctx.queryString()));
        ctx.skipRemainingHandlers();
        return;
      }
      throw new ApiError(401, ApiError.UNAUTHENTICATED, who.problem(), List.of());
    }
    String csrf = Authenticator.csrfProblem(request(ctx), who);
    if (csrf != null) {
      throw new ApiError(403, ApiError.PERMISSION_DENIED, csrf, List.of());
    }
    ctx.attribute(PRINCIPAL, who.principal());
  }

  private static Authenticator.Request request(Context ctx) {
    return new Authenticator.Request() {
      @Override
      public String method() {
        return ctx.method().name();
      }

      @Override
      public String header(String name) {
        return ctx.header(name);
      }

      @Override
      public String cookie(String name) {
        return ctx.cookie(name);
      }
    };
  }

  static Principal principal(Context ctx) {
    return Objects.requireNonNull(ctx.attribute(PRINCIPAL), "no principal");
  }

  private void startSession(Context ctx, String user) {
    startSession(ctx, user, SameSite.STRICT);
  }

  private void startSession(Context ctx, String user, SameSite sameSite) {
    boolean secure = secure(ctx);
    ctx.cookie(
        new Cookie(
            Authenticator.SESSION_COOKIE,
            auth.newSession(user),
            "/",
            12 * 3600,
            secure,
            true,
            null,
            sameSite));
    ctx.cookie(
        new Cookie(
            Authenticator.CSRF_COOKIE,
            Authenticator.newCsrfToken(),
            "/",
            12 * 3600,
            secure,
            false, // pages read it to echo it in X-Keel-CSRF
            null,
            SameSite.STRICT));
  }

  private void home(Context ctx) {
    if (ctx.queryParam("token") != null && auth.isServerToken(ctx.queryParam("token"))) {
      startSession(ctx, Authenticator.TOKEN_HOLDER.name());
      ctx.redirect("/");
      return;
    }
    dashboard.home(ctx);
  }

  /** Whether a request comes from a browser's form rather than an API client. */
  private static boolean fromForm(Context ctx) {
    String type = ctx.contentType() == null ? "" : ctx.contentType();
    String accept = ctx.header("Accept") == null ? "" : ctx.header("Accept");
    return type.startsWith("application/x-www-form-urlencoded") && accept.contains("text/html");
  }

  /** Whether the browser reached this server over https (here or, if set, at the callback). */
  private boolean secure(Context ctx) {
    if ("https".equals(ctx.scheme())) {
      return true;
    }
    return oidc != null
        && oidc.settings().redirectUri() != null
        && "https".equalsIgnoreCase(oidc.settings().redirectUri().getScheme());
  }

  private void login(Context ctx) {
    if (auth.mode() != Authenticator.Mode.USERS) {
      throw ApiError.failedPrecondition("this server does not use built-in users");
    }
    if (oidc != null) {
      throw ApiError.failedPrecondition(
          "this server signs users in through their OIDC provider ("
              + oidc.issuer()
              + "): open it in a browser, or send 'Authorization: Bearer <API token>'");
    }
    String user = ctx.formParam("username");
    String password = ctx.formParam("password");
    boolean form = fromForm(ctx);
    if (user == null || password == null) {
      if (form) {
        ctx.status(400);
        dashboard.loginForm(ctx, "Give your user name and password.");
        return;
      }
      throw ApiError.badRequest("username", "give username and password");
    }
    var p = access.login(user, password.toCharArray());
    if (p.isEmpty()) {
      if (form) {
        ctx.status(401);
        dashboard.loginForm(ctx, "Wrong user name or password.");
        return;
      }
      throw new ApiError(401, ApiError.UNAUTHENTICATED, "wrong user name or password", List.of());
    }
    startSession(ctx, p.get().name());
    if (form) {
      ctx.redirect(Dashboard.safeNext(ctx.formParam("next")));
      return;
    }
    json(ctx, Json.json().createObjectNode().put("user", p.get().name()));
  }

  private void logout(Context ctx) {
    ctx.removeCookie(Authenticator.SESSION_COOKIE, "/");
    ctx.removeCookie(Authenticator.CSRF_COOKIE, "/");
    ctx.status(204);
  }

  // ------------------------------------------------------------------ OIDC

  /** The bearer token of the request when it has the shape of a JWT (not a Keel token). */
  private static String bearerJwt(Context ctx) {
    String authorization = ctx.header("Authorization");
    if (authorization == null) {
      return null;
    }
    String[] parts = authorization.strip().split("\\s+", 2);
    if (parts.length != 2 || !parts[0].equalsIgnoreCase("bearer")) {
      return null;
    }
    String token = parts[1].strip();
    return OidcLogin.looksLikeJwt(token) ? token : null; // Keel's API tokens have no dots
  }

  /**
   * A browser opening a page (rather than a script calling the API): a GET or HEAD that accepts
   * HTML and carries no Authorization header. Those are sent to sign in; the rest get 401.
   */
  private static boolean isBrowserPage(Context ctx) {
    String m = ctx.method().name();
    String accept = ctx.header("Accept");
    return (m.equals("GET") || m.equals("HEAD"))
        && ctx.header("Authorization") == null
        && accept != null
        && accept.contains("text/html");
  }

  private URI ownCallback(Context ctx) {
    String hostHeader = ctx.host();
    String base =
        ctx.scheme()
            + "://"
            + (hostHeader == null ? url().replaceFirst("^https?://", "") : hostHeader);
    return URI.create(base + OidcLogin.CALLBACK_PATH);
  }

  private void redirectToProvider(Context ctx, String returnTo) {
    OidcLogin.Started started = oidc.start(ownCallback(ctx), returnTo);
    ctx.cookie(
        new Cookie(
            OidcLogin.STATE_COOKIE,
            started.stateCookie(),
            "/oidc",
            (int) OidcLogin.STATE_LIFETIME.toSeconds(),
            secure(ctx),
            true,
            null,
            SameSite.LAX)); // sent back on the provider's cross-site redirect to the callback
    ctx.redirect(started.authorizationUrl().toString(), HttpStatus.FOUND);
  }

  private void oidcLogin(Context ctx) {
    if (oidc == null) {
      throw ApiError.failedPrecondition("this server does not sign users in through OIDC");
    }
    redirectToProvider(ctx, ctx.queryParam("to"));
  }

  private void oidcCallback(Context ctx) {
    if (oidc == null) {
      throw ApiError.failedPrecondition("this server does not sign users in through OIDC");
    }
    String pending = ctx.cookie(OidcLogin.STATE_COOKIE);
    ctx.removeCookie(OidcLogin.STATE_COOKIE, "/oidc");
    OidcLogin.SignedIn in;
    try {
      in =
          oidc.finish(
              pending,
              ctx.queryParam("state"),
              ctx.queryParam("code"),
              ctx.queryParam("error"),
              ctx.queryParam("error_description"));
    } catch (OidcException e) {
      signInRefused(ctx, e.getMessage());
      return;
    }
    // Lax, not Strict: the browser arrives here from the provider, and a Strict cookie set now
    // would not be sent on the redirect that follows, so it would loop back to the provider.
    // State-changing requests still need the CSRF header.
    startSession(ctx, in.user(), SameSite.LAX);
    ctx.redirect(in.returnTo(), HttpStatus.SEE_OTHER);
  }

  /** 401 naming the reason: a small page for a browser, KFP's JSON error otherwise. */
  private static void signInRefused(Context ctx, String reason) {
    String accept = ctx.header("Accept");
    if (accept != null && accept.contains("text/html")) {
      ctx.status(401)
          .contentType("text/html; charset=utf-8")
          .result(
              "<!doctype html><html lang=en><meta charset=utf-8><title>Keel: sign-in failed</title>"
                  + "<body><h1>Sign-in failed</h1><p>"
                  + escape(reason)
                  + "</p><p><a href=\"/\">Try again</a></p></body></html>");
      ctx.attribute(ERROR_WRITTEN, true);
      return;
    }
    apiError(ctx, 401, ApiError.UNAUTHENTICATED, "sign-in failed: " + reason, List.of());
  }

  // ------------------------------------------------------------------ errors

  private void errors(RoutesConfig routes) {
    routes.exception(
        ApiError.class, (e, ctx) -> error(ctx, e.status(), e.code(), e.getMessage(), e.problems()));
    routes.exception(
        ValidationException.class,
        (e, ctx) ->
            error(
                ctx,
                400,
                ApiError.INVALID_ARGUMENT,
                e.problems().isEmpty() ? "invalid request" : e.problems().get(0).toString(),
                e.problems()));
    routes.exception(
        NotFoundException.class,
        (e, ctx) -> error(ctx, 404, ApiError.NOT_FOUND, e.getMessage(), List.of()));
    routes.exception(
        ConflictException.class,
        (e, ctx) -> error(ctx, 409, ApiError.ALREADY_EXISTS, e.getMessage(), List.of()));
    routes.exception(
        AccessDeniedException.class,
        (e, ctx) -> error(ctx, 403, ApiError.PERMISSION_DENIED, e.getMessage(), List.of()));
    routes.exception(
        IllegalArgumentException.class,
        (e, ctx) -> error(ctx, 400, ApiError.INVALID_ARGUMENT, e.getMessage(), List.of()));
    routes.exception(
        Exception.class,
        (e, ctx) ->
            error(
                ctx,
                500,
                ApiError.INTERNAL,
                "internal error: " + e.getClass().getSimpleName() + ": " + e.getMessage(),
                List.of()));
    routes.error(
        404,
        ctx -> {
          if (ctx.attribute(ERROR_WRITTEN) == null) {
            error(
                ctx,
                404,
                ApiError.NOT_FOUND,
                "no route " + ctx.method() + " " + ctx.path(),
                List.of());
          }
        });
  }

  private void error(Context ctx, int status, int code, String message, List<Problem> problems) {
    if (Dashboard.isPage(ctx)) {
      ctx.attribute(ERROR_WRITTEN, true);
      dashboard.errorPage(ctx, status, message);
      return;
    }
    apiError(ctx, status, code, message, problems);
  }

  static void apiError(Context ctx, int status, int code, String message, List<Problem> problems) {
    ObjectNode body = Json.json().createObjectNode();
    body.put("code", code);
    body.put("message", message == null ? "" : message);
    ArrayNode details = body.putArray("details");
    if (!problems.isEmpty()) {
      ObjectNode bad = details.addObject();
      bad.put("@type", "type.googleapis.com/google.rpc.BadRequest");
      ArrayNode violations = bad.putArray("field_violations");
      for (Problem p : problems) {
        violations.addObject().put("field", p.path()).put("description", p.reason());
      }
    }
    ctx.status(status);
    ctx.attribute(ERROR_WRITTEN, true);
    json(ctx, body);
  }

  static void json(Context ctx, Object body) {
    ctx.contentType("application/json").result(Json.write(body));
  }

  /** The largest request body taken: a pipeline package in a multipart form, with room. */
  static final long MAX_BODY = PipelinePackages.MAX_BYTES + (1 << 20);

  /** 413 for a body over {@link #MAX_BODY}, before anything reads it. */
  private static void refuseOversized(Context ctx) {
    long length = ctx.req().getContentLengthLong();
    if (length > MAX_BODY) {
      throw new ApiError(
          413,
          ApiError.RESOURCE_EXHAUSTED,
          "the request body is " + length + " bytes; Keel takes at most " + MAX_BODY,
          List.of());
    }
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  /** Configures and starts a {@link KeelServer}. */
  public static final class Builder {
    private final Store store;
    private final PipelineEngine engine;
    private final Authenticator authenticator;
    private String host = "127.0.0.1";
    private int port = 8080;
    private Clock clock = Clock.systemUTC();
    private String version = "dev";
    private Access access;
    private RecurringRunService scheduler;
    private Duration schedulerPeriod = Duration.ofSeconds(1);
    private WorkloadRuntime runtime;
    private Path dataDir;
    private int maxExperiments = 16;
    private OidcLogin oidc;

    private Builder(Store store, PipelineEngine engine, Authenticator authenticator) {
      this.store = Objects.requireNonNull(store, "store");
      this.engine = Objects.requireNonNull(engine, "engine");
      this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
    }

    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** The port; 0 lets the system choose a free one. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public Builder version(String version) {
      this.version = version == null ? "dev" : version;
      return this;
    }

    public Builder access(Access access) {
      this.access = access;
      return this;
    }

    /**
     * How often recurring runs are checked (default: every second); {@code null} never, for a
     * caller that ticks the {@link KeelServer#scheduler()} itself.
     */
    public Builder schedulerPeriod(Duration period) {
      this.schedulerPeriod = period;
      return this;
    }

    /**
     * The runtime Katib experiments' trials run on and the folder their work goes under (the
     * pipeline engine's); without them the server refuses to create experiments.
     */
    public Builder experiments(WorkloadRuntime runtime, Path dataDir) {
      this.runtime = Objects.requireNonNull(runtime, "runtime");
      this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
      return this;
    }

    /** Most experiments running at once (default 16); a create beyond it is answered 429. */
    public Builder maxExperiments(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxExperiments must be at least 1, was " + n);
      }
      this.maxExperiments = n;
      return this;
    }

    /**
     * Signs browsers in through an OpenID Connect provider (see {@link OidcLogin}), with the users
     * authenticator keeping sessions and API tokens.
     */
    public Builder oidc(OidcLogin oidc) {
      this.oidc = oidc;
      return this;
    }

    /** Starts listening; the server runs until {@link KeelServer#close()}. */
    public KeelServer start() {
      if (access == null) {
        access = new Access(store, clock);
      }
      return new KeelServer(this);
    }
  }
}
