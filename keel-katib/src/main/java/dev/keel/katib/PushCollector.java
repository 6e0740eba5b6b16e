package dev.keel.katib;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.keel.core.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * Katib's Push collector for trials on this machine: an HTTP endpoint on the loopback interface
 * that trials report to, each with a token of its own, instead of Katib's gRPC call to its DB
 * manager. A trial finds the address in {@code KEEL_METRICS_URL} and its token in {@code
 * KEEL_METRICS_TOKEN}, and posts
 *
 * <pre>{@code
 * POST $KEEL_METRICS_URL
 * Authorization: Bearer $KEEL_METRICS_TOKEN
 * {"metrics": {"loss": 0.21, "accuracy": "0.93"}, "step": 3, "timestamp": "2026-11-30T12:00:00Z"}
 * }</pre>
 *
 * <p>{@code step} and {@code timestamp} (RFC 3339 or epoch seconds) are optional: the metric's
 * running count and the time of receipt stand in. Values are numbers or strings; only the
 * experiment's metrics are kept, the others are named back as ignored. A missing or wrong token
 * gets 401, a body over 1 MiB 413, a malformed one 400, each with a JSON error.
 */
final class PushCollector implements AutoCloseable {
  static final int MAX_BODY = 1 << 20;

  private final HttpServer server;
  private final Clock clock;
  private final Map<String, Registration> byToken = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();

  /** One trial's place to report: the names it may report and what it has reported. */
  private record Registration(String trial, List<String> names, List<Metrics.Point> points) {}

  private PushCollector(HttpServer server, Clock clock) {
    this.server = server;
    this.clock = clock;
  }

  static PushCollector start(Clock clock) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    PushCollector c = new PushCollector(server, clock);
    server.createContext("/v1/observations", c::handle);
    server.setExecutor(
        Executors.newFixedThreadPool(
            2,
            task -> {
              Thread t = new Thread(task, "keel-push-collector");
              t.setDaemon(true);
              return t;
            }));
    server.start();
    return c;
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/observations";
  }

  /** A new token for {@code trial}, which may report {@code names}. */
  String register(String trial, List<String> names) {
    byte[] b = new byte[24];
    random.nextBytes(b);
    String token = HexFormat.of().formatHex(b);
    byToken.put(token, new Registration(trial, List.copyOf(names), new ArrayList<>()));
    return token;
  }

  /** What the trial holding {@code token} has reported so far, in order. */
  List<Metrics.Point> points(String token) {
    Registration r = byToken.get(token);
    if (r == null) {
      return List.of();
    }
    synchronized (r.points) {
      return List.copyOf(r.points);
    }
  }

  /** Takes the token back: the trial has ended and may report no more. */
  void unregister(String token) {
    byToken.remove(token);
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private void handle(HttpExchange x) throws IOException {
    try (x) {
      if (!x.getRequestMethod().equals("POST")) {
        x.getResponseHeaders().add("Allow", "POST");
        reply(x, 405, error("only POST reports metrics"));
        return;
      }
      Registration r = authorised(x.getRequestHeaders().getFirst("Authorization"));
      if (r == null) {
        reply(
            x, 401, error("a trial's token (Authorization: Bearer $KEEL_METRICS_TOKEN) is needed"));
        return;
      }
      byte[] body;
      try (InputStream in = x.getRequestBody()) {
        body = in.readNBytes(MAX_BODY + 1);
      }
      if (body.length > MAX_BODY) {
        reply(x, 413, error("the report is over " + MAX_BODY + " bytes"));
        return;
      }
      List<String> ignored = new ArrayList<>();
      List<Metrics.Point> points;
      try {
        points = parse(new String(body, StandardCharsets.UTF_8), r, ignored);
      } catch (IllegalArgumentException e) {
        reply(x, 400, error(e.getMessage()));
        return;
      }
      synchronized (r.points) {
        r.points.addAll(points);
      }
      ObjectNode ok = Json.json().createObjectNode();
      ok.put("trial", r.trial);
      ok.put("accepted", points.size());
      var ign = ok.putArray("ignored");
      ignored.forEach(ign::add);
      reply(x, 200, ok);
    }
  }

  private Registration authorised(String header) {
    if (header == null || !header.startsWith("Bearer ")) {
      return null;
    }
    byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
    for (Map.Entry<String, Registration> e : byToken.entrySet()) {
      if (MessageDigest.isEqual(given, e.getKey().getBytes(StandardCharsets.UTF_8))) {
        return e.getValue();
      }
    }
    return null;
  }

  private List<Metrics.Point> parse(String body, Registration r, List<String> ignored) {
    JsonNode n;
    try {
      n = Json.parse(body);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("the report is not JSON: " + e.getMessage());
    }
    if (!n.isObject() || !n.path("metrics").isObject()) {
      throw new IllegalArgumentException("the report needs an object 'metrics': {name: value}");
    }
    Instant time = clock.instant();
    JsonNode ts = n.path("timestamp");
    if (ts.isNumber()) {
      time = Instant.ofEpochMilli(Math.round(ts.asDouble() * 1000));
    } else if (ts.isTextual()) {
      try {
        time = Instant.parse(ts.asText());
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("'timestamp' is not RFC 3339: " + ts.asText());
      }
    } else if (!ts.isMissingNode() && !ts.isNull()) {
      throw new IllegalArgumentException("'timestamp' must be RFC 3339 text or epoch seconds");
    }
    JsonNode step = n.path("step");
    if (!step.isMissingNode() && !step.canConvertToInt()) {
      throw new IllegalArgumentException("'step' must be an integer");
    }
    List<Metrics.Point> out = new ArrayList<>();
    Map<String, Integer> counts = new HashMap<>();
    synchronized (r.points) {
      r.points.forEach(p -> counts.merge(p.name(), 1, Integer::sum));
    }
    for (var it = n.path("metrics").fields(); it.hasNext(); ) {
      var e = it.next();
      String name = e.getKey();
      JsonNode v = e.getValue();
      String value;
      if (v.isNumber()) {
        value = v.isIntegralNumber() ? v.asText() : JsonMetrics.pyRepr(v.asDouble());
      } else if (v.isTextual()) {
        value = v.asText();
      } else {
        throw new IllegalArgumentException("metrics." + name + " must be a number or a string");
      }
      if (!r.names.contains(name)) {
        ignored.add(name);
        continue;
      }
      int s = step.isMissingNode() ? counts.merge(name, 1, Integer::sum) : step.asInt();
      out.add(new Metrics.Point(name, value, time, s));
    }
    return out;
  }

  private static ObjectNode error(String message) {
    return Json.json().createObjectNode().put("error", message);
  }

  private static void reply(HttpExchange x, int status, ObjectNode body) throws IOException {
    byte[] b = Json.write(body).getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", "application/json");
    x.sendResponseHeaders(status, b.length);
    x.getResponseBody().write(b);
  }
}
