import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.Ids;
import dev.keel.core.Json;
import dev.keel.store.ExperimentRecord;
import dev.keel.store.RunRecord;
import dev.keel.store.Store;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Run by bench/list-runs.sh, with keel.jar on the class path.
 *
 * <p>{@code seed DIR N}: writes N finished runs into a fresh SQLite store in DIR, as a busy
 * namespace would hold them (one experiment, one pipeline, states mixed).
 *
 * <p>{@code time URL TOKEN REQUESTS}: lists runs through a running {@code keel server} the way the
 * KFP UI and kfp.Client do (first pages, pages deep in the list by page token, a state filter),
 * and prints the latency percentiles in milliseconds.
 */
public class ListRuns {
  static final String SPEC = "{\"pipelineInfo\":{\"name\":\"bench\"},\"schemaVersion\":\"2.1.0\"}";

  public static void main(String[] args) throws Exception {
    if (args[0].equals("seed")) {
      seed(Path.of(args[1]), Integer.parseInt(args[2]));
    } else {
      time(args[1], args[2], Integer.parseInt(args[3]));
    }
  }

  static void seed(Path dir, int n) {
    try (Store store = Store.sqlite(dir.resolve("keel.db"))) {
      Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
      ExperimentRecord e =
          store.experiments().getOrCreateDefault("default", t0);
      String[] states = {"SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "FAILED", "CANCELED"};
      int batch = 2000;
      for (int from = 0; from < n; from += batch) {
        int start = from;
        store.inTransaction(
            tx -> {
              for (int i = start; i < Math.min(n, start + batch); i++) {
                Instant at = t0.plusSeconds(i * 30L);
                tx.runs()
                    .insert(
                        new RunRecord(
                            Ids.newId(),
                            "default",
                            e.id(),
                            null,
                            "bench run " + i,
                            null,
                            "bench",
                            SPEC,
                            null,
                            "{\"parameters\":{}}",
                            states[i % states.length],
                            null,
                            "AVAILABLE",
                            at,
                            at,
                            at.plusSeconds(20),
                            null,
                            null,
                            "[]"));
              }
              return null;
            });
      }
    }
  }

  static void time(String base, String token, int requests) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String failed =
        URLEncoder.encode(
            "{\"predicates\":[{\"key\":\"state\",\"operation\":\"EQUALS\",\"string_value\":\"FAILED\"}]}",
            StandardCharsets.UTF_8);
    // walk 50 pages deep once to collect page tokens, as a user paging through the list would
    List<String> tokens = new ArrayList<>();
    String next = "";
    for (int i = 0; i < 50; i++) {
      JsonNode page = get(http, base + "/apis/v2beta1/runs?namespace=default&page_size=20&page_token=" + next, token);
      next = page.path("next_page_token").asText();
      tokens.add(next);
    }
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      urls.add(
          switch (i % 4) {
            case 0 -> base + "/apis/v2beta1/runs?namespace=default&page_size=20&sort_by=created_at%20desc";
            case 1 -> base + "/apis/v2beta1/runs?namespace=default&page_size=10";
            case 2 ->
                base
                    + "/apis/v2beta1/runs?namespace=default&page_size=20&page_token="
                    + tokens.get(i % tokens.size());
            default -> base + "/apis/v2beta1/runs?namespace=default&page_size=20&filter=" + failed;
          });
    }
    for (int i = 0; i < 40; i++) { // warm up
      get(http, urls.get(i % urls.size()), token);
    }
    List<Double> ms = new ArrayList<>();
    for (String u : urls) {
      long t = System.nanoTime();
      JsonNode page = get(http, u, token);
      ms.add((System.nanoTime() - t) / 1e6);
      if (page.path("runs").size() == 0) {
        throw new IllegalStateException("empty page from " + u + ": " + page);
      }
    }
    Collections.sort(ms);
    System.out.printf(
        "%.2f %.2f %.2f%n",
        ms.get(ms.size() / 2), ms.get((int) Math.ceil(ms.size() * 0.95) - 1), ms.get(ms.size() - 1));
  }

  static JsonNode get(HttpClient http, String url, String token) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(r.statusCode() + " from " + url + ": " + r.body());
    }
    return Json.parse(r.body());
  }
}
