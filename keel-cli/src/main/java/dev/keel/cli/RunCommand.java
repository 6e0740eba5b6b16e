package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.Json;
import dev.keel.core.Problem;
import dev.keel.core.ValidationException;
import dev.keel.pipelines.EngineListener;
import dev.keel.pipelines.RunRequest;
import dev.keel.pipelines.RunState;
import dev.keel.pipelines.spec.ComponentSpec;
import dev.keel.pipelines.spec.ParameterSpec;
import dev.keel.pipelines.spec.PipelineDocument;
import dev.keel.pipelines.spec.PipelineSpecReader;
import dev.keel.pipelines.spec.PipelineValidator;
import dev.keel.store.RunRecord;
import dev.keel.store.TaskRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code keel run FILE}: runs a pipeline to the end with live progress. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Run a KFP pipeline (compiled YAML or JSON) on this machine and wait for it.",
      "Exits 0 only when the run SUCCEEDED."
    })
final class RunCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE", description = "Compiled pipeline: YAML or JSON.")
  Path file;

  @Option(
      names = {"-p", "--param"},
      paramLabel = "NAME=VALUE",
      description = "A pipeline parameter; repeat for more. Values are parsed by parameter type.")
  List<String> params = new ArrayList<>();

  @Option(names = "--name", paramLabel = "NAME", description = "The run's display name.")
  String name;

  @Option(
      names = "--namespace",
      paramLabel = "NS",
      defaultValue = "default",
      description = "Namespace of the run (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Option(
      names = "--parallelism",
      paramLabel = "N",
      description = "Most tasks running at once (default: the number of cores).")
  int parallelism;

  @Option(
      names = "--image-map",
      paramLabel = "FILE",
      description = "YAML mapping container images to local programs.")
  Path imageMap;

  @Option(names = "--no-cache", description = "Run every task, ignoring cached results.")
  boolean noCache;

  @Mixin StoreOptions store;

  @Override
  public Integer call() throws Exception {
    // The store opens (migrations and all) on another core while this one reads and checks the
    // pipeline: both are a good part of what a short run takes.
    Relay relay = new Relay();
    CompletableFuture<Session> opening =
        CompletableFuture.supplyAsync(
            () -> new Session(store, parallelism, imageMap, !noCache, relay));
    PipelineDocument doc;
    Map<String, JsonNode> values;
    try {
      doc = PipelineSpecReader.read(file);
      List<Problem> problems = PipelineValidator.validate(doc);
      if (!problems.isEmpty()) {
        throw new ValidationException(
            problems.stream().map(p -> p.under(file.toString())).toList());
      }
      values = parameters(doc);
    } catch (RuntimeException e) {
      try {
        opening.join().close();
      } catch (CompletionException ignored) {
        // the pipeline's problem is the one to report
      }
      throw e;
    }
    Set<String> leaves = leafComponents(doc);
    Progress progress =
        new Progress(
            System.out, Invocation.interactive(), countLeafTasks(doc, doc.spec().root()), leaves);
    relay.to = progress;
    try (Session s = opened(opening)) {
      long start = System.nanoTime();
      String runId = s.engine.submit(new RunRequest(doc, values, namespace, name, null, null));
      System.out.println(
          "run " + runId + " (" + doc.name() + ") started; data in " + store.dataDir());
      Invocation.Registration onCtrlC =
          Invocation.onInterrupt(
              () -> {
                try {
                  s.engine.terminate(runId);
                  s.engine.completion(runId).get(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception ignored) {
                  // best effort on Ctrl-C
                }
              });
      RunRecord run;
      try {
        run = s.engine.await(runId);
      } finally {
        onCtrlC.close();
      }
      progress.close();
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      System.out.println(
          "run "
              + runId
              + " "
              + run.state()
              + " in "
              + Progress.seconds(took)
              + (run.error() == null ? "" : ": " + run.error()));
      printOutputs(run);
      return RunState.SUCCEEDED.name().equals(run.state()) ? 0 : 1;
    }
  }

  private static Session opened(CompletableFuture<Session> opening) {
    try {
      return opening.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }

  /**
   * Passes the engine's news on to the progress display, which exists once the pipeline is read.
   */
  private static final class Relay implements EngineListener {
    volatile EngineListener to = EngineListener.NONE;

    @Override
    public void taskChanged(RunRecord run, TaskRecord task) {
      to.taskChanged(run, task);
    }

    @Override
    public void runChanged(RunRecord run) {
      to.runChanged(run);
    }

    @Override
    public void note(String runId, String message) {
      to.note(runId, message);
    }
  }

  private Map<String, JsonNode> parameters(PipelineDocument doc) {
    Map<String, ParameterSpec> defs =
        doc.spec().root().inputDefinitions() == null
            ? Map.of()
            : doc.spec().root().inputDefinitions().parameters();
    Map<String, JsonNode> values = new LinkedHashMap<>();
    List<Problem> problems = new ArrayList<>();
    for (String p : params) {
      int eq = p.indexOf('=');
      if (eq <= 0) {
        problems.add(new Problem("-p " + p, "expected NAME=VALUE"));
        continue;
      }
      String key = p.substring(0, eq);
      ParameterSpec def = defs.get(key);
      if (def == null) {
        problems.add(
            new Problem(
                "-p " + key,
                "the pipeline has no parameter '" + key + "' (it has " + defs.keySet() + ")"));
        continue;
      }
      try {
        values.put(key, PipelineValidator.coerceCliValue(def.parameterType(), p.substring(eq + 1)));
      } catch (IllegalArgumentException | ValidationException e) {
        problems.add(new Problem("-p " + key, e.getMessage()));
      }
    }
    if (!problems.isEmpty()) {
      throw new ValidationException(problems);
    }
    problems.addAll(PipelineValidator.checkRunParameters(doc, values));
    if (!problems.isEmpty()) {
      throw new ValidationException(problems);
    }
    return values;
  }

  static Set<String> leafComponents(PipelineDocument doc) {
    Set<String> leaves = new HashSet<>();
    doc.spec()
        .components()
        .forEach(
            (k, c) -> {
              if (c.dag() == null) {
                leaves.add(k);
              }
            });
    return leaves;
  }

  static int countLeafTasks(PipelineDocument doc, ComponentSpec c) {
    if (c == null || c.dag() == null) {
      return 1;
    }
    int n = 0;
    for (var t : c.dag().tasks().values()) {
      ComponentSpec child =
          t.componentRef() == null ? null : doc.spec().components().get(t.componentRef().name());
      n += countLeafTasks(doc, child);
    }
    return n;
  }

  private static String shorten(String text) {
    return text.length() <= 160 ? text : text.substring(0, 157) + "...";
  }

  static void printOutputs(RunRecord run) {
    if (run.outputs() == null || run.outputs().isBlank()) {
      return;
    }
    JsonNode outputs = Json.parse(run.outputs());
    if (outputs.path("parameters").isEmpty() && outputs.path("artifacts").isEmpty()) {
      return;
    }
    System.out.println("outputs:");
    outputs
        .path("parameters")
        .fields()
        .forEachRemaining(
            e -> System.out.println("  " + e.getKey() + " = " + Json.write(e.getValue())));
    outputs
        .path("artifacts")
        .fields()
        .forEachRemaining(
            e -> {
              for (JsonNode a : e.getValue()) {
                String md =
                    a.path("metadata").isEmpty()
                        ? ""
                        : "  " + shorten(Json.write(a.path("metadata")));
                System.out.println(
                    "  "
                        + e.getKey()
                        + "  "
                        + a.path("schemaTitle").asText()
                        + "  "
                        + a.path("uri").asText()
                        + md);
              }
            });
  }
}
