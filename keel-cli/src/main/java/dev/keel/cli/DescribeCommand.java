package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.store.Store;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code keel describe experiment NAME}: what it searches, how it stands, and its trials; with
 * {@code --server}, through that server's API.
 */
@Command(
    name = "describe",
    mixinStandardHelpOptions = true,
    description = "Describe an experiment: spec, status, conditions and trials.")
final class DescribeCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "KIND", description = "experiment")
  String kind;

  @Parameters(index = "1", paramLabel = "NAME")
  String name;

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NS")
  String namespace;

  @Mixin StoreOptions storeOptions;

  @Mixin ServerOptions serverOptions;

  @Override
  public Integer call() {
    String k = GetCommand.kindOf(kind);
    KatibClient client = serverOptions.client();
    if (client != null) {
      return describe(k, KatibResources.remote(client));
    }
    try (Store store = storeOptions.open()) {
      return describe(k, KatibResources.local(store));
    }
  }

  private int describe(String k, KatibResources resources) {
    JsonNode d = resources.find(k, name, namespace);
    JsonNode spec = d.path("spec");
    JsonNode status = d.path("status");
    System.out.println("Name:         " + d.at("/metadata/name").asText());
    System.out.println("Namespace:    " + d.at("/metadata/namespace").asText());
    System.out.println("Kind:         " + k);
    if (k.equals("Experiment")) {
      JsonNode o = spec.path("objective");
      System.out.println(
          "Objective:    "
              + o.path("type").asText()
              + " "
              + o.path("objectiveMetricName").asText()
              + (o.has("goal") ? " (goal " + o.path("goal").asText() + ")" : ""));
      System.out.println("Algorithm:    " + spec.at("/algorithm/algorithmName").asText());
      System.out.println(
          "Trials:       "
              + spec.path("parallelTrialCount").asText()
              + " at once"
              + (spec.has("maxTrialCount")
                  ? ", at most " + spec.path("maxTrialCount").asText()
                  : "")
              + (spec.has("maxFailedTrialCount")
                  ? ", fails after " + spec.path("maxFailedTrialCount").asText() + " failed"
                  : ""));
      System.out.println("Parameters:");
      for (JsonNode p : spec.path("parameters")) {
        JsonNode fs = p.path("feasibleSpace");
        System.out.println(
            "  "
                + p.path("name").asText()
                + " ("
                + p.path("parameterType").asText()
                + "): "
                + (fs.has("list")
                    ? fs.path("list").toString()
                    : "[" + fs.path("min").asText() + ", " + fs.path("max").asText() + "]")
                + (fs.has("step") ? " step " + fs.path("step").asText() : ""));
      }
      JsonNode best = status.path("currentOptimalTrial");
      if (best.has("bestTrialName")) {
        String a = KatibResources.pairs(best.path("parameterAssignments"), "value");
        String m = KatibResources.pairs(best.at("/observation/metrics"), "latest");
        System.out.println(
            "Best trial:   " + best.path("bestTrialName").asText() + "  " + a + "  " + m);
      }
      System.out.println(
          "Counts:       "
              + status.path("trials").asInt()
              + " trials, "
              + status.path("trialsSucceeded").asInt()
              + " succeeded, "
              + status.path("trialsFailed").asInt()
              + " failed, "
              + status.path("trialMetricsUnavailable").asInt()
              + " without metrics, "
              + status.path("trialsKilled").asInt()
              + " killed, "
              + status.path("trialsRunning").asInt()
              + " running");
    }
    System.out.println("Conditions:");
    System.out.printf("  %-20s %-6s %-32s %s%n", "TYPE", "STATUS", "REASON", "MESSAGE");
    for (JsonNode c : status.path("conditions")) {
      System.out.printf(
          "  %-20s %-6s %-32s %s%n",
          c.path("type").asText(),
          c.path("status").asText(),
          c.path("reason").asText(),
          c.path("message").asText());
    }
    if (k.equals("Experiment")) {
      System.out.println("Trials:");
      System.out.printf("  %-36s %-20s %-40s %s%n", "NAME", "STATUS", "ASSIGNMENTS", "METRICS");
      for (JsonNode td : resources.trialsOf(d)) {
        JsonNode conds = td.path("status").path("conditions");
        JsonNode c = conds.get(conds.size() - 1);
        String a = KatibResources.pairs(td.at("/spec/parameterAssignments"), "value");
        String m = KatibResources.pairs(td.at("/status/observation/metrics"), "latest");
        System.out.printf(
            "  %-36s %-20s %-40s %s%n",
            td.at("/metadata/name").asText(), c == null ? "" : c.path("type").asText(), a, m);
      }
    }
    return 0;
  }
}
