package dev.keel.sdk;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.Json;
import dev.keel.core.Problem;
import dev.keel.pipelines.spec.PipelineDocument;
import dev.keel.pipelines.spec.PipelineSpecReader;
import dev.keel.pipelines.spec.PipelineSpecWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A client for a Keel server's KFP v2beta1 REST API, the Java counterpart of {@code kfp.Client}.
 *
 * <pre>{@code
 * KeelClient client = KeelClient.connect("http://127.0.0.1:8080", token);
 * String runId = client.createRun(pipeline, Map.of("text", "hi"), null).runId();
 * KeelClient.Run run = client.waitForRunCompletion(runId, Duration.ofMinutes(10));
 * }</pre>
 *
 * <p>Every call throws {@link KeelClientException}: with the HTTP status and KFP's error message
 * and field violations where the server refused, or status 0 naming the URL that could not be
 * reached.
 */
public final class KeelClient {
  private static final String V2 = "/apis/v2beta1";

  /** The states after which a run no longer changes, as {@code kfp.Client} waits for them. */
  public static final Set<String> TERMINAL_STATES =
      Set.of("SUCCEEDED", "FAILED", "CANCELED", "SKIPPED");

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration MAX_POLL = Duration.ofSeconds(5);

  private final String baseUrl;
  private final String token;
  private final HttpClient http;

  private KeelClient(String baseUrl, String token) {
    this.baseUrl = baseUrl;
    this.token = token == null || token.isBlank() ? null : token;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  /**
   * A client for the server at {@code baseUrl}.
   *
   * @param baseUrl such as {@code http://127.0.0.1:8080} (a trailing slash is dropped)
   * @param token the API token, sent as {@code Authorization: Bearer}; null sends none
   */
  public static KeelClient connect(String baseUrl, String token) {
    Objects.requireNonNull(baseUrl, "baseUrl");
    String url = baseUrl.strip();
    while (url.endsWith("/")) {
      url = url.substring(0, url.length() - 1);
    }
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a server URL: '" + baseUrl + "'", e);
    }
    if (uri.getScheme() == null
        || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
        || uri.getHost() == null) {
      throw new IllegalArgumentException(
          "not a server URL: '" + baseUrl + "'; give one such as http://127.0.0.1:8080");
    }
    return new KeelClient(url, token);
  }

  /** A client for {@code $KEEL_SERVER}, with {@code $KEEL_TOKEN} if set. */
  public static KeelClient fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  static KeelClient fromEnvironment(Map<String, String> env) {
    String server = env.get("KEEL_SERVER");
    if (server == null || server.isBlank()) {
      throw new IllegalStateException(
          "KEEL_SERVER is not set; set it to the server's URL, such as http://127.0.0.1:8080");
    }
    return connect(server, env.get("KEEL_TOKEN"));
  }

  /** The server's URL, without a trailing slash. */
  public String baseUrl() {
    return baseUrl;
  }

  // ------------------------------------------------------------------ results

  /**
   * A run as the server reports it.
   *
   * @param runId its id
   * @param displayName its name
   * @param state KFP's state: PENDING, RUNNING, SUCCEEDED, FAILED, CANCELING, CANCELED, ...
   * @param error the error message of a failed run, or null
   * @param json the whole run as the API returned it
   */
  public record Run(String runId, String displayName, String state, String error, JsonNode json) {
    /** Whether the run has ended ({@link #TERMINAL_STATES}). */
    public boolean done() {
      return TERMINAL_STATES.contains(state);
    }

    static Run of(JsonNode n) {
      JsonNode err = n.path("error");
      String message = err.isObject() ? err.path("message").asText(null) : null;
      return new Run(
          n.path("run_id").asText(null),
          n.path("display_name").asText(null),
          n.path("state").asText("").toUpperCase(Locale.ROOT),
          message,
          n);
    }
  }

  /**
   * A page of runs.
   *
   * @param runs the runs on it
   * @param totalSize how many runs match in all
   * @param nextPageToken the token of the next page, or null after the last
   */
  public record RunPage(List<Run> runs, int totalSize, String nextPageToken) {}

  /**
   * An uploaded pipeline.
   *
   * @param pipelineId its id
   * @param displayName its name
   * @param json the pipeline as the API returned it
   */
  public record UploadedPipeline(String pipelineId, String displayName, JsonNode json) {}

  // ------------------------------------------------------------------ pipelines

  /**
   * Uploads a pipeline file ({@code upload_pipeline}): YAML, JSON, {@code .zip} or {@code .tar.gz}.
   *
   * @param yamlOrPackage the file
   * @param name the pipeline's name, or null for the file's
   */
  public UploadedPipeline uploadPipeline(Path yamlOrPackage, String name) {
    byte[] content;
    try {
      content = Files.readAllBytes(yamlOrPackage);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + yamlOrPackage + ": " + e.getMessage(), e);
    }
    return upload(yamlOrPackage.getFileName().toString(), content, name);
  }

  /** Compiles a DSL pipeline to YAML and uploads it under {@code name} (null: its own name). */
  public UploadedPipeline uploadPipeline(Pipeline dsl, String name) {
    return uploadPipeline(dsl.build(), name);
  }

  /** Uploads a built pipeline as YAML under {@code name} (null: its own name). */
  public UploadedPipeline uploadPipeline(PipelineDocument doc, String name) {
    String yaml = PipelineSpecWriter.toYaml(doc);
    return upload(
        (name == null ? doc.name() : name) + ".yaml", yaml.getBytes(StandardCharsets.UTF_8), name);
  }

  private UploadedPipeline upload(String filename, byte[] content, String name) {
    String boundary = "----keel-client-" + System.nanoTime();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    String head =
        "--"
            + boundary
            + "\r\nContent-Disposition: form-data; name=\"uploadfile\"; filename=\""
            + filename.replace("\"", "")
            + "\"\r\nContent-Type: application/octet-stream\r\n\r\n";
    body.writeBytes(head.getBytes(StandardCharsets.UTF_8));
    body.writeBytes(content);
    body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    String path = V2 + "/pipelines/upload";
    if (name != null && !name.isBlank()) {
      path += "?name=" + q(name) + "&display_name=" + q(name);
    }
    HttpRequest.Builder b =
        request(path)
            .header("Content-Type", "multipart/form-data; boundary=" + boundary)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
    JsonNode n = send(b, "POST", path);
    return new UploadedPipeline(
        n.path("pipeline_id").asText(null), n.path("display_name").asText(null), n);
  }

  // ------------------------------------------------------------------ runs

  /**
   * Runs a DSL pipeline ({@code create_run_from_pipeline_func}): its spec goes inline.
   *
   * @param dsl the pipeline
   * @param arguments its parameters (strings, numbers, booleans, lists, maps)
   * @param namespace where to run it, or null for the server's default
   */
  public Run createRun(Pipeline dsl, Map<String, Object> arguments, String namespace) {
    return createRun(dsl.build(), arguments, namespace);
  }

  /** Runs a pipeline file ({@code create_run_from_pipeline_package}): YAML or JSON. */
  public Run createRun(Path pipelineFile, Map<String, Object> arguments, String namespace) {
    String file = pipelineFile.getFileName().toString().toLowerCase(Locale.ROOT);
    if (file.endsWith(".zip") || file.endsWith(".tar.gz") || file.endsWith(".tgz")) {
      throw new IllegalArgumentException(
          pipelineFile + " is a package; upload it with uploadPipeline, or give its YAML");
    }
    return createRun(PipelineSpecReader.read(pipelineFile), arguments, namespace);
  }

  /** Runs a built pipeline, its spec inline. */
  public Run createRun(PipelineDocument doc, Map<String, Object> arguments, String namespace) {
    ObjectNode body = Json.json().createObjectNode();
    body.put("display_name", doc.name() + " " + Instant.now().toString());
    JsonNode spec = PipelineSpecWriter.toTree(doc.spec());
    if (doc.platform() != null) {
      ObjectNode wrapped = Json.json().createObjectNode();
      wrapped.set("pipeline_spec", spec);
      wrapped.set("platform_spec", PipelineSpecWriter.toTree(doc.platform()));
      spec = wrapped;
    }
    body.set("pipeline_spec", spec);
    body.putObject("runtime_config")
        .set(
            "parameters",
            Json.json().valueToTree(arguments == null ? Map.of() : new LinkedHashMap<>(arguments)));
    String path = V2 + "/runs" + (namespace == null ? "" : "?namespace=" + q(namespace));
    HttpRequest.Builder b =
        request(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(Json.write(body)));
    return Run.of(send(b, "POST", path));
  }

  /** The run {@code runId} ({@code get_run}). */
  public Run getRun(String runId) {
    String path = V2 + "/runs/" + seg(runId);
    return Run.of(send(request(path).GET(), "GET", path));
  }

  /**
   * Polls the run until it ends (SUCCEEDED, FAILED, CANCELED or SKIPPED), as {@code
   * kfp.Client.wait_for_run_completion} does.
   *
   * @return the ended run; a failed one is returned, not thrown
   * @throws KeelClientException with status 0 if {@code timeout} passes first
   */
  public Run waitForRunCompletion(String runId, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    long sleep = 100;
    while (true) {
      Run run = getRun(runId);
      if (run.done()) {
        return run;
      }
      long left = Duration.between(Instant.now(), deadline).toMillis();
      if (left <= 0) {
        throw new KeelClientException(
            0,
            0,
            "run " + runId + " did not finish within " + timeout + "; it is " + run.state(),
            List.of(),
            null);
      }
      try {
        Thread.sleep(Math.min(sleep, left));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new KeelClientException(
            0, 0, "interrupted while waiting for run " + runId, List.of(), e);
      }
      sleep = Math.min(sleep * 2, MAX_POLL.toMillis());
    }
  }

  /**
   * A page of runs, newest first ({@code list_runs}).
   *
   * @param namespace whose runs, or null for every namespace (cluster administrators only)
   * @param pageSize at most this many (the server caps it)
   * @param pageToken the previous page's {@code nextPageToken}, or null for the first page
   */
  public RunPage listRuns(String namespace, int pageSize, String pageToken) {
    StringBuilder path = new StringBuilder(V2 + "/runs?page_size=").append(pageSize);
    if (namespace != null) {
      path.append("&namespace=").append(q(namespace));
    }
    if (pageToken != null && !pageToken.isEmpty()) {
      path.append("&page_token=").append(q(pageToken));
    }
    JsonNode n = send(request(path.toString()).GET(), "GET", path.toString());
    List<Run> runs = new ArrayList<>();
    n.path("runs").forEach(r -> runs.add(Run.of(r)));
    String next = n.path("next_page_token").asText("");
    return new RunPage(
        List.copyOf(runs), n.path("total_size").asInt(runs.size()), next.isEmpty() ? null : next);
  }

  /** Stops the run's tasks ({@code terminate_run}); the run ends CANCELED. */
  public void terminateRun(String runId) {
    String path = V2 + "/runs/" + seg(runId) + ":terminate";
    send(request(path).POST(HttpRequest.BodyPublishers.noBody()), "POST", path);
  }

  // ------------------------------------------------------------------ HTTP

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(baseUrl + path))
            .timeout(REQUEST_TIMEOUT)
            .header("Accept", "application/json");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  private JsonNode send(HttpRequest.Builder b, String method, String path) {
    String url = baseUrl + path;
    HttpResponse<String> r;
    try {
      r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw unreachable(url, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KeelClientException(
          0, 0, "interrupted calling " + method + " " + url, List.of(), e);
    }
    String text = r.body() == null ? "" : r.body();
    JsonNode json = parse(text);
    if (r.statusCode() >= 200 && r.statusCode() < 300) {
      if (json == null) {
        throw new KeelClientException(
            r.statusCode(),
            0,
            method + " " + url + " answered " + r.statusCode() + " without JSON: " + plain(text),
            List.of(),
            null);
      }
      return json;
    }
    throw failure(r.statusCode(), json, text, method, url);
  }

  private static KeelClientException unreachable(String url, Exception e) {
    String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new KeelClientException(
        0, 0, "cannot reach the Keel server at " + url + ": " + why, List.of(), e);
  }

  /** KFP's {@code {code, message, details}} as an exception; anything else in a line. */
  static KeelClientException failure(
      int status, JsonNode json, String text, String method, String url) {
    if (json != null && json.isObject() && json.has("message")) {
      List<Problem> violations = new ArrayList<>();
      for (JsonNode d : json.path("details")) {
        for (JsonNode v : d.path("field_violations")) {
          violations.add(new Problem(v.path("field").asText(""), v.path("description").asText("")));
        }
      }
      StringBuilder msg = new StringBuilder("HTTP ").append(status).append(": ");
      msg.append(json.path("message").asText(""));
      for (Problem p : violations) {
        String line = p.path() + ": " + p.reason();
        if (!msg.toString().contains(line)) {
          msg.append("\n  ").append(line);
        }
      }
      return new KeelClientException(
          status, json.path("code").asInt(0), msg.toString(), violations, null);
    }
    String detail = plain(text);
    return new KeelClientException(
        status,
        0,
        "HTTP " + status + " from " + method + " " + url + (detail.isEmpty() ? "" : ": " + detail),
        List.of(),
        null);
  }

  private static JsonNode parse(String text) {
    if (text.isBlank()) {
      return null;
    }
    try {
      return Json.json().readTree(text);
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  /** A body that is not KFP's JSON, as one short line: an HTML page's title, else its text. */
  static String plain(String text) {
    String lower = text.toLowerCase(Locale.ROOT);
    int t = lower.indexOf("<title>");
    int te = lower.indexOf("</title>");
    String s = t >= 0 && te > t ? text.substring(t + 7, te) : text;
    s = s.replaceAll("(?is)<(script|style)[^>]*>.*?</\\1>", " ").replaceAll("<[^>]*>", " ");
    s = s.replaceAll("\\s+", " ").strip();
    return s.length() > 200 ? s.substring(0, 200) + "…" : s;
  }

  private static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String seg(String s) {
    Objects.requireNonNull(s, "runId");
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
