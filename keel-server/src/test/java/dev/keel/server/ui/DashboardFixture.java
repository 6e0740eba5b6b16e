package dev.keel.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.access.Access;
import dev.keel.access.Authenticator;
import dev.keel.pipelines.PipelineEngine;
import dev.keel.pipelines.RunRequest;
import dev.keel.pipelines.spec.PipelineDocument;
import dev.keel.pipelines.spec.PipelineSpecReader;
import dev.keel.server.KeelServer;
import dev.keel.server.TestKeel;
import dev.keel.store.Store;
import dev.keel.store.TaskRecord;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Keel server over real HTTP ({@link TestKeel}) with built-in users: alice owns {@code team-a},
 * bob {@code team-b}; browsers that keep cookies, read pages and follow server-sent events.
 */
abstract class DashboardFixture {
  static final char[] PASSWORD = "correct horse".toCharArray();

  @TempDir Path dir;
  TestKeel keel;
  // the harness's parts, by the short names the pages' tests use
  Store store;
  PipelineEngine engine;
  Access access;
  KeelServer server;

  @BeforeEach
  void start() {
    keel = TestKeel.builder(dir).parallelism(4).users().start();
    store = keel.store();
    engine = keel.engine();
    access = keel.access();
    server = keel.server();
    access.addUser("alice", PASSWORD, false);
    access.addUser("bob", PASSWORD, false);
    access.createProfile("team-a", "alice", Map.of());
    access.createProfile("team-b", "bob", Map.of());
  }

  @AfterEach
  void stop() {
    keel.close();
  }

  /** A pipeline of KFP's conformance set, read where the build says the shared folder is. */
  static PipelineDocument conformance(String file) throws Exception {
    return PipelineSpecReader.readText(
        Files.readString(
            Path.of(
                System.getProperty("keel.shared", "../../shared"), "conformance", "kfp-ir", file)));
  }

  String submit(PipelineDocument doc, String namespace, String name) {
    return engine.submit(new RunRequest(doc, Map.of(), namespace, name, null, null));
  }

  String run(PipelineDocument doc, String namespace, String name) throws Exception {
    String id = submit(doc, namespace, name);
    engine.await(id);
    return id;
  }

  TaskRecord task(String runId, String path) {
    return store.tasks().getByPath(runId, path).orElseThrow();
  }

  /** Waits (10 s at most) until the run has a task at {@code path} that {@code ok} accepts. */
  TaskRecord awaitTask(String runId, String path, Predicate<TaskRecord> ok) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < end) {
      var t = store.tasks().getByPath(runId, path);
      if (t.isPresent() && ok.test(t.get())) {
        return t.get();
      }
      Thread.sleep(20);
    }
    throw new AssertionError(
        "task " + path + " never got there: " + store.tasks().getByPath(runId, path));
  }

  /** Form fields URL-encoded as a browser posts them. */
  static String form(Map<String, String> fields) {
    return fields.entrySet().stream()
        .map(
            e ->
                URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }

  /** A server-sent event, and when it came (ms since the stream opened). */
  record Event(String name, String data, String id, long atMillis) {}

  /** A browser: it keeps cookies and does not follow redirects, so tests see them. */
  final class Browser {
    final CookieManager cookies = new CookieManager();
    final HttpClient http =
        HttpClient.newBuilder()
            .cookieHandler(cookies)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    HttpResponse<String> get(String path) throws Exception {
      return http.send(
          HttpRequest.newBuilder(URI.create(server.url() + path))
              .header("Accept", "text/html")
              .timeout(Duration.ofSeconds(30))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String form) throws Exception {
      return post(path, form, true);
    }

    HttpResponse<String> post(String path, Map<String, String> fields) throws Exception {
      return post(path, form(fields), true);
    }

    HttpResponse<String> post(String path, Map<String, String> fields, boolean csrf)
        throws Exception {
      return post(path, form(fields), csrf);
    }

    /** A form POST as htmx sends it, with the CSRF header or (to see it refused) without. */
    HttpResponse<String> post(String path, String form, boolean csrf) throws Exception {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(server.url() + path))
              .header("Accept", "text/html")
              .header("Content-Type", "application/x-www-form-urlencoded")
              .header("HX-Request", "true")
              .timeout(Duration.ofSeconds(30))
              .POST(HttpRequest.BodyPublishers.ofString(form));
      if (csrf) {
        b.header(Authenticator.CSRF_HEADER, cookie(Authenticator.CSRF_COOKIE));
      }
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> upload(String target, String filename, String content, boolean csrf)
        throws Exception {
      String boundary = "----keel" + System.nanoTime();
      String body =
          "--"
              + boundary
              + "\r\nContent-Disposition: form-data; name=\"target\"\r\n\r\n"
              + target
              + "\r\n--"
              + boundary
              + "\r\nContent-Disposition: form-data; name=\"uploadfile\"; filename=\""
              + filename
              + "\"\r\nContent-Type: application/octet-stream\r\n\r\n"
              + content
              + "\r\n--"
              + boundary
              + "--\r\n";
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(server.url() + "/pipelines/upload"))
              .header("Accept", "text/html")
              .header("Content-Type", "multipart/form-data; boundary=" + boundary)
              .header("HX-Request", "true")
              .timeout(Duration.ofSeconds(30))
              .POST(HttpRequest.BodyPublishers.ofString(body));
      if (csrf) {
        b.header(Authenticator.CSRF_HEADER, cookie(Authenticator.CSRF_COOKIE));
      }
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Opens an event stream as EventSource does; the status and the lines as they come. */
    HttpResponse<Stream<String>> stream(String path) throws Exception {
      return http.send(
          HttpRequest.newBuilder(URI.create(server.url() + path))
              .header("Accept", "text/event-stream")
              .timeout(Duration.ofSeconds(30))
              .build(),
          HttpResponse.BodyHandlers.ofLines());
    }

    /** The events of a stream until the server closes it (30 s at most). */
    List<Event> events(String path) throws Exception {
      HttpResponse<Stream<String>> r = stream(path);
      assertThat(r.statusCode()).isEqualTo(200);
      long t0 = System.nanoTime();
      List<Event> out = new ArrayList<>();
      String name = "message";
      StringBuilder data = null;
      String id = null;
      try (Stream<String> lines = r.body()) {
        Iterator<String> it = lines.iterator();
        while (it.hasNext()) {
          String line = it.next();
          if (line.isEmpty()) {
            if (data != null) {
              out.add(new Event(name, data.toString(), id, (System.nanoTime() - t0) / 1_000_000));
            }
            name = "message";
            data = null;
            id = null;
          } else if (line.startsWith("event:")) {
            name = line.substring(6).strip();
          } else if (line.startsWith("id:")) {
            id = line.substring(3).strip();
          } else if (line.startsWith("data:")) {
            String d = line.substring(5);
            d = d.startsWith(" ") ? d.substring(1) : d;
            data = data == null ? new StringBuilder(d) : data.append('\n').append(d);
          }
        }
      }
      return out;
    }

    String cookie(String name) {
      return cookies.getCookieStore().getCookies().stream()
          .filter(c -> c.getName().equals(name))
          .map(HttpCookie::getValue)
          .findFirst()
          .orElseThrow();
    }

    Browser signIn(String user) throws Exception {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(server.url() + "/login"))
                  .header("Accept", "text/html")
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "username=" + user + "&password=correct+horse&next=%2Fruns"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
      assertThat(r.headers().firstValue("Location")).hasValue("/runs");
      return this;
    }
  }
}
