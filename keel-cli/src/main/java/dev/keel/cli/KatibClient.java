package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.Json;
import dev.keel.core.Problem;
import dev.keel.core.ValidationException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Katib's resources through a Keel server's API ({@code /apis/kubeflow.org/v1beta1}): what {@code
 * keel apply|get|describe --server} use. A refusal becomes a clear error: the server's message, and
 * for a document it found invalid, each problem with its path.
 */
final class KatibClient {
  static final String GROUP = "/apis/kubeflow.org/v1beta1";

  /** The server answered with an error. */
  static final class ServerException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    ServerException(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }

    int status() {
      return status;
    }
  }

  private final String base;
  private final String token;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  KatibClient(String base, String token) {
    this.base = base;
    this.token = token;
  }

  String base() {
    return base;
  }

  /**
   * Creates the experiment {@code yaml} describes in {@code namespace}; problems the server finds
   * come back as a {@link ValidationException} with their paths prefixed by {@code source}.
   */
  JsonNode createExperiment(String namespace, String yaml, String source) {
    return send(
        "POST",
        GROUP + "/namespaces/" + segment(namespace) + "/experiments",
        yaml,
        "application/yaml",
        source);
  }

  /** Applies the experiment {@code yaml} describes again under its {@code name} (a restart). */
  JsonNode replaceExperiment(String namespace, String name, String yaml, String source) {
    return send(
        "PUT",
        GROUP + "/namespaces/" + segment(namespace) + "/experiments/" + segment(name),
        yaml,
        "application/yaml",
        source);
  }

  /** One resource by plural ({@code experiments}, {@code trials}), or empty when there is none. */
  Optional<JsonNode> get(String namespace, String plural, String name) {
    try {
      return Optional.of(
          send(
              "GET",
              GROUP + "/namespaces/" + segment(namespace) + "/" + plural + "/" + segment(name),
              null,
              null,
              ""));
    } catch (ServerException e) {
      if (e.status() == 404) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /**
   * The items of a list in {@code namespace} ({@code null}: every namespace the caller may read),
   * matching {@code labelSelector} when given.
   */
  List<JsonNode> list(String namespace, String plural, String labelSelector) {
    String path =
        GROUP + (namespace == null ? "" : "/namespaces/" + segment(namespace)) + "/" + plural;
    if (labelSelector != null) {
      path += "?labelSelector=" + URLEncoder.encode(labelSelector, StandardCharsets.UTF_8);
    }
    List<JsonNode> items = new ArrayList<>();
    send("GET", path, null, null, "").path("items").forEach(items::add);
    return items;
  }

  private JsonNode send(
      String method, String path, String body, String contentType, String source) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(90))
            .header("Accept", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r;
    try {
      r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ServerException(
          0,
          "cannot reach the Keel server at "
              + base
              + ": "
              + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServerException(0, "interrupted while waiting for " + base);
    }
    JsonNode json;
    try {
      json = Json.parse(r.body());
    } catch (RuntimeException e) {
      json = null;
    }
    if (r.statusCode() >= 200 && r.statusCode() < 300 && json != null) {
      return json;
    }
    String message =
        json != null && json.hasNonNull("message")
            ? json.path("message").asText()
            : r.body().isBlank() ? "(no message)" : r.body().strip();
    List<Problem> problems = new ArrayList<>();
    if (json != null) {
      for (JsonNode d : json.path("details")) {
        for (JsonNode v : d.path("field_violations")) {
          String field = v.path("field").asText("");
          problems.add(
              new Problem(
                  source.isEmpty() ? field : field.isEmpty() ? source : source + ": " + field,
                  v.path("description").asText()));
        }
      }
    }
    if (r.statusCode() == 400 && !problems.isEmpty()) {
      throw new ValidationException(problems);
    }
    String hint =
        r.statusCode() == 401
            ? " (give --token or set KEEL_TOKEN)"
            : r.statusCode() == 403 ? " (ask the namespace's owner for a role)" : "";
    throw new ServerException(
        r.statusCode(),
        "the server at " + base + " answered " + r.statusCode() + ": " + message + hint);
  }

  private static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
