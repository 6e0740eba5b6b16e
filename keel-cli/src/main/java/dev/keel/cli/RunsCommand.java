package dev.keel.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.Json;
import dev.keel.core.Problem;
import dev.keel.core.ValidationException;
import dev.keel.pipelines.KfpJson;
import dev.keel.pipelines.PipelineEngine;
import dev.keel.pipelines.RunState;
import dev.keel.pipelines.spec.PipelineDocument;
import dev.keel.pipelines.spec.PipelineSpecReader;
import dev.keel.store.Page;
import dev.keel.store.RunRecord;
import dev.keel.store.Store;
import dev.keel.store.TaskRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code keel runs ...}: look at and act on runs in the store. */
@Command(
    name = "runs",
    mixinStandardHelpOptions = true,
    description = "List, inspect, terminate, retry and resume runs.",
    subcommands = {
      RunsCommand.ListRuns.class,
      RunsCommand.GetRun.class,
      RunsCommand.Logs.class,
      RunsCommand.Terminate.class,
      RunsCommand.Retry.class,
      RunsCommand.Resume.class
    })
final class RunsCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  static RunRecord find(Store store, String id) {
    return store
        .runs()
        .get(id)
        .orElseThrow(() -> new ValidationException(new Problem("RUN_ID", "no run with id " + id)));
  }

  static void checkFormat(String output) {
    if (output != null && !output.equals("json") && !output.equals("table")) {
      throw new ValidationException(
          new Problem("-o", "unknown output format '" + output + "' (use json or table)"));
    }
  }

  /** {@code keel runs list}. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "List runs, newest first.")
  static final class ListRuns implements Callable<Integer> {
    @Option(
        names = {"-o", "--output"},
        paramLabel = "FORMAT",
        description = "table (default) or json.")
    String output;

    @Option(names = "--namespace", paramLabel = "NS", description = "Only this namespace.")
    String namespace;

    @Option(
        names = "--page-size",
        defaultValue = "20",
        paramLabel = "N",
        description = "Runs per page (default: ${DEFAULT-VALUE}).")
    int pageSize;

    @Option(names = "--page-token", paramLabel = "TOKEN", description = "Page to show.")
    String pageToken;

    @Mixin StoreOptions storeOptions;

    @Override
    public Integer call() {
      checkFormat(output);
      try (Store store = storeOptions.open()) {
        Page<RunRecord> page = store.runs().list(namespace, null, pageSize, pageToken);
        if ("json".equals(output)) {
          ObjectNode n = Json.json().createObjectNode();
          ArrayNode runs = n.putArray("runs");
          for (RunRecord r : page.items()) {
            runs.add(KfpJson.run(r, store.tasks().listByRun(r.id()), false));
          }
          n.put("total_size", page.totalSize());
          n.put("next_page_token", page.nextPageToken());
          System.out.println(Json.writePretty(n));
          return 0;
        }
        System.out.printf(
            "%-36s  %-10s  %-20s  %-8s  %s%n", "RUN ID", "STATE", "CREATED", "TOOK", "NAME");
        for (RunRecord r : page.items()) {
          System.out.printf(
              "%-36s  %-10s  %-20s  %-8s  %s%n",
              r.id(),
              r.state(),
              r.createdAt().toString().replace('T', ' ').replaceAll("\\.\\d+Z$", "Z"),
              took(r),
              r.displayName());
        }
        if (!page.nextPageToken().isEmpty()) {
          System.out.println("more: --page-token " + page.nextPageToken());
        }
        return 0;
      }
    }
  }

  static String took(RunRecord r) {
    if (r.finishedAt() == null) {
      return "-";
    }
    return Progress.seconds(Duration.between(r.createdAt(), r.finishedAt()));
  }

  /** {@code keel runs get}. */
  @Command(name = "get", mixinStandardHelpOptions = true, description = "Show a run and its tasks.")
  static final class GetRun implements Callable<Integer> {
    @Parameters(paramLabel = "RUN_ID")
    String runId;

    @Option(
        names = {"-o", "--output"},
        paramLabel = "FORMAT",
        description = "table (default) or json.")
    String output;

    @Mixin StoreOptions storeOptions;

    @Override
    public Integer call() {
      checkFormat(output);
      try (Store store = storeOptions.open()) {
        RunRecord r = find(store, runId);
        List<TaskRecord> tasks = store.tasks().listByRun(r.id());
        if ("json".equals(output)) {
          System.out.println(Json.writePretty(KfpJson.run(r, tasks, true)));
          return 0;
        }
        System.out.println("run:        " + r.id());
        System.out.println("name:       " + r.displayName());
        System.out.println("pipeline:   " + r.pipelineName());
        System.out.println("namespace:  " + r.namespace());
        System.out.println(
            "state:      " + r.state() + (r.error() == null ? "" : " (" + r.error() + ")"));
        System.out.println("created:    " + r.createdAt());
        if (r.finishedAt() != null) {
          System.out.println("finished:   " + r.finishedAt() + " (" + took(r) + ")");
        }
        System.out.println(
            "parameters: " + Json.write(Json.parse(r.runtimeConfig()).path("parameters")));
        System.out.println();
        System.out.printf("%-13s  %-8s  %-7s  %s%n", "STATE", "TOOK", "ATTEMPT", "TASK");
        for (TaskRecord t : tasks) {
          String d =
              t.startedAt() != null && t.finishedAt() != null
                  ? Progress.seconds(Duration.between(t.startedAt(), t.finishedAt()))
                  : "-";
          System.out.printf(
              "%-13s  %-8s  %-7s  %s%s%n",
              t.state(), d, t.attempt(), t.path(), t.error() == null ? "" : "  " + t.error());
        }
        RunCommand.printOutputs(r);
        var events = store.runEvents().listByRun(r.id());
        if (!events.isEmpty()) {
          System.out.println("events:");
          for (var e : events) {
            System.out.printf("  %s  %-7s  %s%n", e.createdAt(), e.type(), e.message());
          }
        }
        return 0;
      }
    }
  }

  /** {@code keel runs logs}. */
  @Command(
      name = "logs",
      mixinStandardHelpOptions = true,
      description = "Print the logs of a run's tasks (all of them, or the one named).")
  static final class Logs implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RUN_ID")
    String runId;

    @Parameters(
        index = "1",
        arity = "0..1",
        paramLabel = "TASK",
        description = "Task path, name or display name.")
    String task;

    @Mixin StoreOptions storeOptions;

    @Override
    public Integer call() throws IOException {
      try (Store store = storeOptions.open()) {
        RunRecord r = find(store, runId);
        List<TaskRecord> tasks = new ArrayList<>();
        for (TaskRecord t : store.tasks().listByRun(r.id())) {
          if (task == null
              || task.equals(t.path())
              || task.equals(t.name())
              || task.equals(t.displayName())) {
            tasks.add(t);
          }
        }
        if (task != null && tasks.isEmpty()) {
          throw new ValidationException(
              new Problem("TASK", "run " + runId + " has no task '" + task + "'"));
        }
        for (TaskRecord t : tasks) {
          if (t.logPath() == null) {
            continue;
          }
          if (task == null) {
            System.out.println(
                "==> " + t.path() + " (attempt " + t.attempt() + ", " + t.state() + ") <==");
          }
          try (InputStream in = Files.newInputStream(Path.of(t.logPath()))) {
            in.transferTo(System.out);
          } catch (NoSuchFileException e) {
            System.out.println("(no log yet)");
          }
          System.out.flush();
        }
        return 0;
      }
    }
  }

  /** {@code keel runs terminate}. */
  @Command(
      name = "terminate",
      mixinStandardHelpOptions = true,
      description = "Stop a run: its processes are killed and it ends CANCELED.")
  static final class Terminate implements Callable<Integer> {
    @Parameters(paramLabel = "RUN_ID")
    String runId;

    @Mixin StoreOptions storeOptions;

    @Override
    public Integer call() throws InterruptedException {
      try (Session s =
          new Session(storeOptions, 0, null, true, dev.keel.pipelines.EngineListener.NONE)) {
        find(s.store, runId);
        s.engine.terminate(runId);
        Instant deadline = Instant.now().plusSeconds(30);
        RunRecord r = find(s.store, runId);
        while (!RunState.valueOf(r.state()).isTerminal() && Instant.now().isBefore(deadline)) {
          Thread.sleep(100);
          r = find(s.store, runId);
        }
        System.out.println("run " + runId + " " + r.state());
        return RunState.valueOf(r.state()).isTerminal() ? 0 : 1;
      }
    }
  }

  /** {@code keel runs retry}. */
  @Command(
      name = "retry",
      mixinStandardHelpOptions = true,
      description = "Run a FAILED or CANCELED run's failed and not-run tasks again, and wait.")
  static final class Retry implements Callable<Integer> {
    @Parameters(paramLabel = "RUN_ID")
    String runId;

    @Option(names = "--parallelism", paramLabel = "N")
    int parallelism;

    @Option(names = "--image-map", paramLabel = "FILE")
    Path imageMap;

    @Mixin StoreOptions storeOptions;

    @Override
    public Integer call() throws Exception {
      Progress progress = progressFor(storeOptions, runId);
      try (Session s = new Session(storeOptions, parallelism, imageMap, true, progress)) {
        s.engine.retry(runId);
        RunRecord r = s.engine.await(runId);
        progress.close();
        int code = ended(r);
        RunCommand.printOutputs(r);
        return code;
      }
    }
  }

  /** Prints how a run ended; its exit code: 0 only when it SUCCEEDED. */
  static int ended(RunRecord r) {
    System.out.println(
        "run " + r.id() + " " + r.state() + (r.error() == null ? "" : ": " + r.error()));
    return RunState.SUCCEEDED.name().equals(r.state()) ? 0 : 1;
  }

  /** Live progress for a stored run; fails naming the run when there is none. */
  static Progress progressFor(StoreOptions options, String runId) {
    try (Store store = options.open()) {
      RunRecord r = find(store, runId);
      PipelineDocument doc = PipelineSpecReader.fromTree(PipelineEngine.pipelineTree(r));
      return new Progress(
          System.out,
          Invocation.interactive(),
          RunCommand.countLeafTasks(doc, doc.spec().root()),
          RunCommand.leafComponents(doc));
    }
  }

  /** {@code keel runs resume}. */
  @Command(
      name = "resume",
      mixinStandardHelpOptions = true,
      description = "Take over unfinished runs whose process died, and carry them to the end.")
  static final class Resume implements Callable<Integer> {
    @Parameters(
        arity = "0..1",
        paramLabel = "RUN_ID",
        description = "Only this run (default: all).")
    String runId;

    @Option(names = "--parallelism", paramLabel = "N")
    int parallelism;

    @Option(names = "--image-map", paramLabel = "FILE")
    Path imageMap;

    @Mixin StoreOptions storeOptions;

    @Override
    public Integer call() throws Exception {
      Set<String> leaves = new HashSet<>();
      try (Store store = storeOptions.open()) {
        List<RunRecord> candidates =
            runId == null ? store.runs().listUnfinished() : List.of(find(store, runId));
        for (RunRecord r : candidates) {
          leaves.addAll(
              RunCommand.leafComponents(
                  PipelineSpecReader.fromTree(PipelineEngine.pipelineTree(r))));
        }
      }
      Progress progress = new Progress(System.out, Invocation.interactive(), 0, leaves);
      try (Session s = new Session(storeOptions, parallelism, imageMap, true, progress)) {
        List<String> taken;
        if (runId != null) {
          taken = s.engine.resume(runId) ? List.of(runId) : List.of();
          if (taken.isEmpty()) {
            RunRecord r = find(s.store, runId);
            System.out.println(
                "run "
                    + runId
                    + " is "
                    + r.state()
                    + (RunState.valueOf(r.state()).isTerminal()
                        ? "; nothing to resume"
                        : " and owned by a live process"));
            return RunState.valueOf(r.state()).isTerminal() ? 0 : 1;
          }
        } else {
          taken = s.engine.resumeAll();
        }
        if (taken.isEmpty()) {
          System.out.println("no unfinished runs to resume");
          return 0;
        }
        int code = 0;
        for (String id : taken) {
          RunRecord r = s.engine.await(id);
          progress.close();
          code = Math.max(code, ended(r));
        }
        return code;
      }
    }
  }
}
