package dev.keel.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.access.Access;
import dev.keel.access.Authenticator;
import dev.keel.core.Problem;
import dev.keel.pipelines.PipelineEngine;
import dev.keel.pipelines.spec.ParameterType;
import dev.keel.pipelines.spec.PipelineSpecWriter;
import dev.keel.runtime.LocalRuntime;
import dev.keel.server.KeelServer;
import dev.keel.store.Store;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link KeelClient} against a real Keel server, store, runtime and engine in this process. */
class KeelClientTest {
  static final String TOKEN = "client-test-token-0123456789";

  @TempDir Path dir;
  Store store;
  LocalRuntime runtime;
  PipelineEngine engine;
  KeelServer server;
  KeelClient client;

  @BeforeEach
  void start() {
    store = Store.sqlite(dir.resolve("keel.db"));
    runtime = LocalRuntime.builder().parallelism(2).build();
    engine = PipelineEngine.builder(store, runtime).dataDir(dir).build();
    Access access = new Access(store, Clock.systemUTC());
    server =
        KeelServer.builder(store, engine, Authenticator.token(TOKEN, access, Clock.systemUTC()))
            .host("127.0.0.1")
            .port(0)
            .access(access)
            .version("test")
            .schedulerPeriod(null)
            .start();
    client = KeelClient.connect(server.url() + "/", TOKEN);
  }

  @AfterEach
  void stop() {
    server.close();
    engine.close();
    runtime.close();
    store.close();
  }

  /** An alpine {@code echo} of two parameters; alpine's echo runs as the local one. */
  static Pipeline greeting() {
    ContainerComponent say =
        ContainerComponent.named("say")
            .image("alpine")
            .input("text", ParameterType.STRING)
            .input("times", ParameterType.NUMBER_INTEGER)
            .command("echo", Placeholders.inputValue("text"), Placeholders.inputValue("times"));
    Pipeline p =
        Pipeline.named("greeting")
            .parameter("text", ParameterType.STRING)
            .parameter("times", ParameterType.NUMBER_INTEGER, 1);
    p.task("say", say).with("text", p.parameter("text")).with("times", p.parameter("times"));
    return p;
  }

  @Test
  void runs_a_dsl_pipeline_and_reads_it_back() {
    KeelClient.Run created =
        client.createRun(greeting(), Map.of("text", "hello", "times", 3), "default");
    assertThat(created.runId()).isNotBlank();
    assertThat(created.displayName()).startsWith("greeting ");

    KeelClient.Run done = client.waitForRunCompletion(created.runId(), Duration.ofSeconds(60));
    assertThat(done.state()).as(done.json().toString()).isEqualTo("SUCCEEDED");
    assertThat(done.done()).isTrue();
    assertThat(done.error()).isNull();

    KeelClient.Run got = client.getRun(created.runId());
    assertThat(got.state()).isEqualTo("SUCCEEDED");
    assertThat(got.json().path("runtime_config").path("parameters").path("text").asText())
        .isEqualTo("hello");

    KeelClient.RunPage page = client.listRuns("default", 10, null);
    assertThat(page.runs()).extracting(KeelClient.Run::runId).containsExactly(created.runId());
    assertThat(page.totalSize()).isEqualTo(1);
    assertThat(page.nextPageToken()).isNull();
  }

  @Test
  void runs_a_pipeline_file_and_terminates_runs() throws Exception {
    Path yaml = dir.resolve("greeting.yaml");
    Files.writeString(yaml, PipelineSpecWriter.toYaml(greeting().build()));
    KeelClient.Run run = client.createRun(yaml, Map.of("text", "from a file"), null);
    assertThat(client.waitForRunCompletion(run.runId(), Duration.ofSeconds(60)).state())
        .isEqualTo("SUCCEEDED");
    assertThatThrownBy(() -> client.terminateRun(run.runId()))
        .isInstanceOfSatisfying(
            KeelClientException.class,
            e -> assertThat(e.getMessage()).contains("has already ended"));

    ContainerComponent sleep =
        ContainerComponent.named("nap").image("alpine").command("sleep", "60");
    Pipeline slow = Pipeline.named("slow");
    slow.task("nap", sleep);
    KeelClient.Run napping = client.createRun(slow, Map.of(), null);
    client.terminateRun(napping.runId());
    assertThat(client.waitForRunCompletion(napping.runId(), Duration.ofSeconds(30)).state())
        .isEqualTo("CANCELED");
    assertThatThrownBy(() -> client.terminateRun("no-such-run"))
        .isInstanceOfSatisfying(
            KeelClientException.class, e -> assertThat(e.status()).isEqualTo(404));
  }

  @Test
  void uploads_pipelines_from_the_dsl_and_from_files() throws Exception {
    KeelClient.UploadedPipeline fromDsl = client.uploadPipeline(greeting(), "greeting-dsl");
    assertThat(fromDsl.pipelineId()).isNotBlank();
    assertThat(fromDsl.displayName()).isEqualTo("greeting-dsl");

    Path yaml = dir.resolve("hello.yaml");
    Files.writeString(yaml, PipelineSpecWriter.toYaml(greeting().build()));
    KeelClient.UploadedPipeline fromFile = client.uploadPipeline(yaml, null);
    assertThat(fromFile.displayName()).isEqualTo("hello");
    assertThat(fromFile.pipelineId()).isNotEqualTo(fromDsl.pipelineId());
  }

  @Test
  void a_wrong_token_is_a_401() {
    KeelClient wrong = KeelClient.connect(server.url(), "not-the-token");
    assertThatThrownBy(() -> wrong.listRuns("default", 10, null))
        .isInstanceOfSatisfying(
            KeelClientException.class,
            e -> {
              assertThat(e.status()).isEqualTo(401);
              assertThat(e.code()).isEqualTo(16);
              assertThat(e.getMessage()).startsWith("HTTP 401: ").doesNotContain("<html");
            });
    KeelClient none = KeelClient.connect(server.url(), null);
    assertThatThrownBy(() -> none.getRun("x"))
        .isInstanceOfSatisfying(
            KeelClientException.class, e -> assertThat(e.status()).isEqualTo(401));
  }

  @Test
  void a_bad_argument_is_a_400_naming_the_field() {
    assertThatThrownBy(
            () -> client.createRun(greeting(), Map.of("text", "hi", "times", "lots"), null))
        .isInstanceOfSatisfying(
            KeelClientException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.code()).isEqualTo(3);
              assertThat(e.fieldViolations())
                  .extracting(Problem::path)
                  .contains("runtime_config.parameters.times");
              assertThat(e.getMessage()).contains("times");
            });
  }

  @Test
  void an_unreachable_server_is_named() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    KeelClient gone = KeelClient.connect("http://127.0.0.1:" + port, TOKEN);
    assertThatThrownBy(() -> gone.getRun("r1"))
        .isInstanceOfSatisfying(
            KeelClientException.class,
            e -> {
              assertThat(e.status()).isZero();
              assertThat(e.getMessage())
                  .contains("cannot reach the Keel server at http://127.0.0.1:" + port);
            });
  }

  @Test
  void environment_and_non_json_errors() {
    assertThat(
            KeelClient.fromEnvironment(Map.of("KEEL_SERVER", server.url(), "KEEL_TOKEN", TOKEN))
                .listRuns("default", 5, null)
                .runs())
        .isEmpty();
    assertThatThrownBy(() -> KeelClient.fromEnvironment(Map.of()))
        .hasMessageContaining("KEEL_SERVER");
    assertThatThrownBy(() -> KeelClient.connect("127.0.0.1:8080", null))
        .isInstanceOf(IllegalArgumentException.class);
    KeelClientException e =
        KeelClient.failure(
            502,
            null,
            "<html><head><title>502 Bad Gateway</title></head><body><h1>oops</h1></body></html>",
            "GET",
            "http://x/apis/v2beta1/runs");
    assertThat(e.getMessage())
        .isEqualTo("HTTP 502 from GET http://x/apis/v2beta1/runs: 502 Bad Gateway");
  }
}
