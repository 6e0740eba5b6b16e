package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.Json;
import dev.keel.core.Problem;
import dev.keel.core.ValidationException;
import dev.keel.katib.Experiment;
import dev.keel.katib.ExperimentController;
import dev.keel.pipelines.PipelineEngine;
import dev.keel.runtime.LocalRuntime;
import dev.keel.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code keel apply -f FILE}: a Katib Experiment, run in this process to its end with live
 * progress; exits 0 when it Succeeded. With {@code --server URL} (or {@code $KEEL_SERVER}) it is
 * handed to that server instead, which runs it; the command exits once the server has it.
 */
@Command(
    name = "apply",
    mixinStandardHelpOptions = true,
    description =
        "Run a Katib Experiment (kubeflow.org/v1beta1) to its end on this machine, or hand it to"
            + " a Keel server with --server.")
final class ApplyCommand implements Callable<Integer> {
  @Option(names = "-f", paramLabel = "FILE", required = true, description = "The resource's YAML.")
  Path file;

  @Option(
      names = "--parallelism",
      paramLabel = "N",
      description = "Most processes at once (default: the number of cores).")
  int parallelism;

  @Option(
      names = "--image-map",
      paramLabel = "FILE",
      description = "YAML mapping container images to local programs.")
  Path imageMap;

  @Mixin StoreOptions storeOptions;

  @Mixin ServerOptions serverOptions;

  @Override
  public Integer call() throws Exception {
    String text = Files.readString(file);
    JsonNode doc;
    try {
      doc = Json.yaml().readTree(text);
    } catch (java.io.IOException e) {
      throw new ValidationException(
          new Problem(
              file.toString(), "not YAML: " + e.getMessage().lines().findFirst().orElse("")));
    }
    String kind = doc == null ? "" : doc.path("kind").asText();
    if (!kind.equals("Experiment")) {
      throw new ValidationException(
          new Problem(
              file + ": kind", "'" + kind + "' is not a kind keel apply runs yet (Experiment is)"));
    }
    KatibClient client = serverOptions.client();
    if (client != null) {
      // the server checks it and runs it; this command only hands it over, as kubectl apply does
      String namespace = doc.path("metadata").path("namespace").asText("");
      namespace = namespace.isEmpty() ? "default" : namespace;
      String name = doc.path("metadata").path("name").asText("");
      if (!name.isEmpty() && client.get(namespace, "experiments", name).isPresent()) {
        client.replaceExperiment(namespace, name, text, file.toString());
        System.out.println("experiment.kubeflow.org/" + name + " configured");
        return 0;
      }
      JsonNode made = client.createExperiment(namespace, text, file.toString());
      System.out.println(
          "experiment.kubeflow.org/" + made.at("/metadata/name").asText() + " created");
      return 0;
    }
    Experiment experiment;
    try {
      experiment = Experiment.read(doc);
    } catch (ValidationException e) {
      throw new ValidationException(
          e.problems().stream().map(p -> p.under(file.toString())).toList());
    }
    try (Store store = storeOptions.open();
        LocalRuntime runtime = storeOptions.runtime(parallelism, imageMap, store);
        PipelineEngine engine =
            PipelineEngine.builder(store, runtime).dataDir(storeOptions.dataDir()).build()) {
      System.out.println(
          "experiment "
              + experiment.namespace()
              + "/"
              + experiment.name()
              + ": "
              + experiment.algorithm().name()
              + " search, "
              + experiment.parallelTrialCount()
              + " trials at once"
              + (experiment.maxTrialCount() == null
                  ? ""
                  : ", at most " + experiment.maxTrialCount()));
      ExperimentController controller =
          new ExperimentController(
                  store,
                  runtime,
                  storeOptions.dataDir(),
                  Clock.systemUTC(),
                  new ExperimentController.Progress() {
                    @Override
                    public void note(String message) {
                      System.out.println("  " + message);
                    }

                    @Override
                    public void trialStarted(String trial, Map<String, String> assignments) {
                      System.out.println("  started   " + trial + "  " + assignments);
                    }

                    @Override
                    public void trialEnded(
                        String trial, String condition, String objective, String best) {
                      System.out.println(
                          "  "
                              + String.format(
                                  "%-9s",
                                  condition.equals("MetricsUnavailable") ? "NoMetric" : condition)
                              + " "
                              + trial
                              + (objective == null
                                  ? ""
                                  : "  " + experiment.objective().metricName() + "=" + objective)
                              + (best == null ? "" : "  best " + best));
                    }
                  })
              .pipelines(engine);
      ObjectNode done = controller.run(experiment);
      JsonNode status = done.path("status");
      JsonNode last = status.path("conditions").get(status.path("conditions").size() - 1);
      JsonNode best = status.path("currentOptimalTrial");
      System.out.println(
          "experiment "
              + experiment.name()
              + " "
              + last.path("type").asText()
              + " ("
              + last.path("reason").asText()
              + "): "
              + status.path("trials").asInt()
              + " trials"
              + (best.has("bestTrialName")
                  ? "; best "
                      + best.path("bestTrialName").asText()
                      + " "
                      + best.path("parameterAssignments")
                  : ""));
      return last.path("type").asText().equals("Succeeded") ? 0 : 1;
    }
  }
}
