package dev.keel.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.access.Access;
import dev.keel.access.Authenticator;
import dev.keel.core.Json;
import dev.keel.pipelines.PipelineEngine;
import dev.keel.runtime.LocalRuntime;
import dev.keel.store.Store;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A Keel server for tests, over real HTTP on a free port, with everything it stands on: a SQLite
 * store ({@code keel.db}) in the test's folder, a local runtime, the pipeline engine working in
 * that folder, access control, and the server itself, whose scheduler never ticks by itself (a test
 * ticks {@code server().scheduler()}). {@link #close()} closes them in reverse order.
 *
 * <p>What differs between tests is said to the {@link Builder}: the runtime's parallelism (and
 * anything else its builder takes), how callers sign in (a fixed API {@link Builder#token token},
 * built-in {@link Builder#users users}, or {@link Builder#oidc OIDC} on top of them), whether Katib
 * {@link Builder#experiments experiments} are served, the host, and any other setting of {@link
 * KeelServer.Builder}. It is made in {@code @BeforeEach} and closed in {@code @AfterEach}:
 *
 * <pre>{@code
 * keel = TestKeel.builder(dir).parallelism(2).token(TOKEN).experiments().start();
 * ...
 * keel.close();
 * }</pre>
 *
 * <p>{@link #call} sends a request to the server and reads the answer's JSON.
 */
public final class TestKeel implements AutoCloseable {
  private final Builder settings;
  private final Store store;
  private final LocalRuntime runtime;
  private final PipelineEngine engine;
  private final Access access;
  private final HttpClient http = HttpClient.newHttpClient();
  private KeelServer server;

  /** A harness whose store and work go under {@code dir} (a test's {@code @TempDir}). */
  public static Builder builder(Path dir) {
    return new Builder(dir);
  }

  private TestKeel(Builder settings) {
    this.settings = settings;
    store = Store.sqlite(settings.dir.resolve("keel.db"));
    LocalRuntime.Builder runtimeBuilder = LocalRuntime.builder().parallelism(settings.parallelism);
    settings.runtime.accept(runtimeBuilder);
    runtime = runtimeBuilder.build();
    engine = PipelineEngine.builder(store, runtime).dataDir(settings.dir).build();
    access = new Access(store, Clock.systemUTC());
    try {
      server = startServer();
    } catch (RuntimeException e) {
      engine.close();
      runtime.close();
      store.close();
      throw e;
    }
  }

  private KeelServer startServer() {
    KeelServer.Builder b =
        KeelServer.builder(store, engine, settings.authenticator.apply(access))
            .port(0)
            .access(access)
            .schedulerPeriod(null);
    if (settings.host != null) {
      b.host(settings.host);
    }
    if (settings.experiments) {
      b.experiments(runtime, settings.dir);
    }
    if (settings.oidc != null) {
      b.oidc(settings.oidc);
    }
    settings.server.accept(b);
    return b.start();
  }

  public Store store() {
    return store;
  }

  public LocalRuntime runtime() {
    return runtime;
  }

  public PipelineEngine engine() {
    return engine;
  }

  public Access access() {
    return access;
  }

  /** The server now running: the one started first, or the last {@link #restart}'s. */
  public KeelServer server() {
    return server;
  }

  /** The server's base URL, such as {@code http://127.0.0.1:41234}. */
  public String url() {
    return server.url();
  }

  /** The client {@link #call} sends with, for a test's own requests. */
  public HttpClient http() {
    return http;
  }

  /**
   * Closes the server and starts another with the same settings on the same store, engine and
   * access, as a restarted process would; returns it.
   */
  public KeelServer restart() {
    return restart(this::startServer);
  }

  /**
   * Closes the server and puts the one {@code start} starts in its place; {@link #close()} closes
   * that one.
   */
  public KeelServer restart(Supplier<KeelServer> start) {
    server.close();
    server = start.get();
    return server;
  }

  /** Closes the server, the engine, the runtime and the store, in that order. */
  @Override
  public void close() {
    server.close();
    engine.close();
    runtime.close();
    store.close();
  }

  /** An answer: its status, its body read as JSON (null unless it says it is JSON), its text. */
  public record Response(int status, JsonNode json, String text) {}

  /**
   * Sends {@code method path} to the server (60 s at most) and returns the answer.
   *
   * @param body the request's body, or null for none
   * @param contentType the body's {@code Content-Type}, or null to send none
   * @param token sent as {@code Authorization: Bearer <token>}; null for an anonymous call
   */
  public Response call(String method, String path, String body, String contentType, String token)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(60));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode json = null;
    if (r.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) {
      json = Json.parse(r.body());
    }
    return new Response(r.statusCode(), json, r.body());
  }

  /** What a test's harness differs in; {@link #start()} starts it. */
  public static final class Builder {
    private final Path dir;
    private int parallelism = 2;
    private Consumer<LocalRuntime.Builder> runtime = b -> {};
    private Function<Access, Authenticator> authenticator;
    private OidcLogin oidc;
    private boolean experiments;
    private String host;
    private Consumer<KeelServer.Builder> server = b -> {};

    private Builder(Path dir) {
      this.dir = Objects.requireNonNull(dir, "dir");
    }

    /** How many workloads the runtime runs at once (default 2). */
    public Builder parallelism(int parallelism) {
      this.parallelism = parallelism;
      return this;
    }

    /** Anything else the runtime is built with, such as an image map. */
    public Builder runtime(Consumer<LocalRuntime.Builder> settings) {
      this.runtime = Objects.requireNonNull(settings, "settings");
      return this;
    }

    /** Callers sign in with this one API token ({@link Authenticator#token}). */
    public Builder token(String token) {
      Objects.requireNonNull(token, "token");
      this.authenticator = a -> Authenticator.token(token, a, Clock.systemUTC());
      return this;
    }

    /** Callers sign in as built-in users, with passwords, sessions and API tokens. */
    public Builder users() {
      this.authenticator = a -> Authenticator.users(a, Clock.systemUTC());
      return this;
    }

    /** Browsers sign in at an OpenID Connect provider; built-in users keep sessions and tokens. */
    public Builder oidc(OidcLogin oidc) {
      this.oidc = Objects.requireNonNull(oidc, "oidc");
      return users();
    }

    /** Katib experiments are served, their trials run on the runtime in the test's folder. */
    public Builder experiments() {
      this.experiments = true;
      return this;
    }

    /** The address the server listens on (default: {@link KeelServer.Builder}'s). */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** Anything else the server is built with, such as its version. */
    public Builder server(Consumer<KeelServer.Builder> settings) {
      this.server = Objects.requireNonNull(settings, "settings");
      return this;
    }

    /** Opens the store, runtime and engine and starts the server. */
    public TestKeel start() {
      if (authenticator == null) {
        throw new IllegalStateException("say how callers sign in: token(...), users() or oidc()");
      }
      return new TestKeel(this);
    }
  }
}
