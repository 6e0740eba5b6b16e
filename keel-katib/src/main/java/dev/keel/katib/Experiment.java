package dev.keel.katib;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.Json;
import dev.keel.core.Problem;
import dev.keel.core.ValidationException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Katib {@code kubeflow.org/v1beta1} Experiment, read strictly from Katib's own YAML: an unknown
 * field or a bad value is refused with its path, and the defaults Katib's webhook fills in are
 * filled in (katib.md §2).
 *
 * @param name {@code metadata.name}
 * @param namespace {@code metadata.namespace} ({@code default} when absent)
 * @param objective what to optimise
 * @param algorithm the search algorithm and its settings
 * @param earlyStopping median stop's settings, or {@code null} without early stopping
 * @param parallelTrialCount trials at once (default 3)
 * @param maxTrialCount most trials, or {@code null} for no bound
 * @param maxFailedTrialCount failed trials that fail the experiment, or {@code null}
 * @param parameters the search space
 * @param trialTemplate how a trial runs
 * @param metricsFormat the regular expressions metrics are read with (Katib's default filter)
 * @param collectorKind the metrics collector kind: StdOut (the default), File, TensorFlowEvent or
 *     Push (Katib's former name {@code None} reads as Push)
 * @param metricsPath where a File collector reads (a file) or a TensorFlowEvent one (a directory),
 *     as the trial's container sees it; {@code null} for StdOut and Push
 * @param metricsFileFormat TEXT or JSON for a File collector, else {@code null}
 * @param resumePolicy Never, LongRunning or FromVolume
 * @param document the experiment as written, with defaults filled in
 */
public record Experiment(
    String name,
    String namespace,
    Objective objective,
    Algorithm algorithm,
    MedianStop earlyStopping,
    int parallelTrialCount,
    Integer maxTrialCount,
    Integer maxFailedTrialCount,
    List<Parameter> parameters,
    TrialTemplate trialTemplate,
    List<Pattern> metricsFormat,
    String collectorKind,
    String metricsPath,
    String metricsFileFormat,
    String resumePolicy,
    ObjectNode document) {

  /** Katib's default metrics filter, exactly. */
  public static final String DEFAULT_FILTER =
      "([\\w|-]+)\\s*=\\s*([+-]?\\d*(\\.\\d+)?([Ee][+-]?\\d+)?)";

  private static final Pattern NAME = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern TRIAL_PARAM = Pattern.compile("\\$\\{trialParameters\\.([^}]+)\\}");

  /**
   * The objective.
   *
   * @param type {@code minimize} or {@code maximize}
   * @param goal stop once the best value reaches it, or {@code null}
   * @param metricName the objective metric
   * @param additionalMetricNames other metrics to collect
   * @param strategies per metric: {@code min}, {@code max} or {@code latest}
   */
  public record Objective(
      String type,
      Double goal,
      String metricName,
      List<String> additionalMetricNames,
      Map<String, String> strategies) {
    public boolean maximize() {
      return type.equals("maximize");
    }
  }

  /**
   * Katib's {@code medianstop}: once {@code minTrialsRequired} trials have ended, a running trial
   * whose best objective value after {@code startStep} reports is worse than the mean of those
   * trials' averages over their first {@code startStep} values is stopped.
   */
  public record MedianStop(int minTrialsRequired, int startStep) {}

  /** An algorithm (or early stopping) name with its settings, all strings as in Katib. */
  public record Algorithm(String name, Map<String, String> settings) {}

  /**
   * A parameter of the search space.
   *
   * @param name its name
   * @param type {@code int}, {@code double}, {@code categorical} or {@code discrete}
   * @param min lower bound (int/double)
   * @param max upper bound (int/double)
   * @param step grid step, or {@code null}
   * @param list the values (categorical/discrete)
   * @param distribution uniform, logUniform, normal or logNormal
   */
  public record Parameter(
      String name,
      String type,
      Double min,
      Double max,
      Double step,
      List<String> list,
      String distribution) {}

  /**
   * How a trial runs.
   *
   * @param primaryContainerName the container whose output holds the metrics
   * @param trialParameters placeholder name to parameter reference
   * @param trialSpec the workload, with {@code ${trialParameters.x}} placeholders
   * @param retain keep the trial's workload after it ends
   */
  public record TrialTemplate(
      String primaryContainerName,
      Map<String, String> trialParameters,
      ObjectNode trialSpec,
      boolean retain) {
    public String kind() {
      return trialSpec.path("kind").asText();
    }
  }

  /** Reads an Experiment document, refusing it with every problem found. */
  public static Experiment read(JsonNode doc) {
    Reader r = new Reader();
    Experiment e = r.read(doc);
    if (!r.problems.isEmpty()) {
      throw new ValidationException(r.problems);
    }
    return e;
  }

  /** Reads Katib YAML text. */
  public static Experiment readYaml(String text) {
    JsonNode doc;
    try {
      doc = Json.yaml().readTree(text);
    } catch (Exception e) {
      throw new ValidationException(new Problem("", "not YAML: " + e.getMessage()));
    }
    if (doc == null || !doc.isObject()) {
      throw new ValidationException(new Problem("", "not an Experiment document"));
    }
    return read(doc);
  }

  private static final class Reader {
    final List<Problem> problems = new ArrayList<>();

    void problem(String path, String reason, Object... args) {
      problems.add(Problem.at(path, reason, args));
    }

    void known(JsonNode n, String path, String... fields) {
      Set<String> ok = Set.of(fields);
      for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!ok.contains(f)) {
          problem(path.isEmpty() ? f : path + "." + f, "unknown field");
        }
      }
    }

    Double number(JsonNode n, String path) {
      if (n == null || n.isNull() || n.isMissingNode()) {
        return null;
      }
      try {
        return Double.parseDouble(n.asText().strip());
      } catch (NumberFormatException e) {
        problem(path, "'%s' is not a number", n.asText());
        return null;
      }
    }

    Integer count(JsonNode n, String path, int min) {
      if (n == null || n.isMissingNode() || n.isNull()) {
        return null;
      }
      if (!n.canConvertToInt() || !n.isIntegralNumber() && !n.asText().matches("\\d+")) {
        problem(path, "'%s' is not a whole number", n.asText());
        return null;
      }
      int v = n.asInt();
      if (v < min) {
        problem(path, "must be at least %d, was %d", min, v);
      }
      return v;
    }

    Experiment read(JsonNode doc) {
      ObjectNode document = (ObjectNode) doc.deepCopy();
      known(doc, "", "apiVersion", "kind", "metadata", "spec", "status");
      if (!doc.path("apiVersion").asText().equals("kubeflow.org/v1beta1")) {
        problem("apiVersion", "'%s' is not kubeflow.org/v1beta1", doc.path("apiVersion").asText());
      }
      if (!doc.path("kind").asText().equals("Experiment")) {
        problem("kind", "'%s' is not Experiment", doc.path("kind").asText());
      }
      JsonNode meta = doc.path("metadata");
      String name = meta.path("name").asText("");
      if (!NAME.matcher(name).matches() || name.length() > 40) {
        problem(
            "metadata.name",
            "'%s' is not an experiment name (lower-case, digits, '-', at most 40)",
            name);
      }
      String namespace = meta.path("namespace").asText("default");
      JsonNode spec = doc.path("spec");
      known(
          spec,
          "spec",
          "objective",
          "algorithm",
          "earlyStopping",
          "parallelTrialCount",
          "maxTrialCount",
          "maxFailedTrialCount",
          "parameters",
          "nasConfig",
          "trialTemplate",
          "metricsCollectorSpec",
          "resumePolicy");
      Objective objective = objective(spec.path("objective"));
      Algorithm algorithm = algorithm(spec.path("algorithm"), "spec.algorithm");
      MedianStop earlyStopping =
          spec.has("earlyStopping") ? medianStop(spec.path("earlyStopping")) : null;
      if (spec.has("nasConfig")) {
        problem(
            "spec.nasConfig",
            "neural architecture search (enas, darts) is not supported by Keel yet");
      }
      Integer parallel = count(spec.path("parallelTrialCount"), "spec.parallelTrialCount", 1);
      Integer max = count(spec.path("maxTrialCount"), "spec.maxTrialCount", 1);
      Integer maxFailed = count(spec.path("maxFailedTrialCount"), "spec.maxFailedTrialCount", 0);
      int p = parallel == null ? 3 : parallel;
      if (max != null && p > max) {
        problem("spec.parallelTrialCount", "must not exceed maxTrialCount (%d)", max);
      }
      if (max != null && maxFailed != null && maxFailed > max) {
        problem("spec.maxFailedTrialCount", "must not exceed maxTrialCount (%d)", max);
      }
      List<Parameter> parameters = parameters(spec.path("parameters"));
      TrialTemplate template = template(spec.path("trialTemplate"), parameters);
      List<Pattern> formats = new ArrayList<>();
      String[] source = new String[2];
      String collector = collector(spec.path("metricsCollectorSpec"), formats, source);
      if (algorithm != null && Search.ALGORITHMS.contains(algorithm.name())) {
        Search.check(algorithm.name(), algorithm.settings(), parameters, p).forEach(problems::add);
      }
      String resume = spec.path("resumePolicy").asText("Never");
      if (!Set.of("Never", "LongRunning", "FromVolume").contains(resume)) {
        problem("spec.resumePolicy", "'%s' is not Never, LongRunning or FromVolume", resume);
      }
      ObjectNode s = (ObjectNode) document.with("spec");
      s.put("parallelTrialCount", p);
      s.put("resumePolicy", resume);
      if (objective != null) {
        ObjectNode o = (ObjectNode) s.with("objective");
        var strategies = o.putArray("metricStrategies");
        objective
            .strategies()
            .forEach((k, v) -> strategies.addObject().put("name", k).put("value", v));
      }
      return new Experiment(
          name,
          namespace,
          objective,
          algorithm,
          earlyStopping,
          p,
          max,
          maxFailed,
          parameters,
          template,
          formats,
          collector,
          source[0],
          source[1],
          resume,
          document);
    }

    Objective objective(JsonNode o) {
      if (o.isMissingNode()) {
        problem("spec.objective", "required");
        return null;
      }
      known(
          o,
          "spec.objective",
          "type",
          "goal",
          "objectiveMetricName",
          "additionalMetricNames",
          "metricStrategies");
      String type = o.path("type").asText("");
      if (!type.equals("minimize") && !type.equals("maximize")) {
        problem("spec.objective.type", "'%s' is not minimize or maximize", type);
      }
      String metric = o.path("objectiveMetricName").asText("");
      if (metric.isEmpty()) {
        problem("spec.objective.objectiveMetricName", "required");
      }
      List<String> extra = new ArrayList<>();
      o.path("additionalMetricNames").forEach(n -> extra.add(n.asText()));
      if (extra.contains(metric)) {
        problem(
            "spec.objective.additionalMetricNames",
            "must not hold the objective metric '%s'",
            metric);
      }
      Map<String, String> strategies = new LinkedHashMap<>();
      String byType = type.equals("maximize") ? "max" : "min";
      strategies.put(metric, byType);
      for (String m : extra) {
        strategies.put(m, byType); // as Katib's webhook defaults them
      }
      JsonNode given = o.path("metricStrategies");
      for (int i = 0; i < given.size(); i++) {
        String v = given.get(i).path("value").asText();
        if (!Set.of("min", "max", "latest").contains(v)) {
          problem(
              "spec.objective.metricStrategies[" + i + "].value",
              "'%s' is not min, max or latest",
              v);
        }
        strategies.put(given.get(i).path("name").asText(), v);
      }
      return new Objective(
          type,
          number(o.get("goal"), "spec.objective.goal"),
          metric,
          List.copyOf(extra),
          strategies);
    }

    MedianStop medianStop(JsonNode es) {
      String at = "spec.earlyStopping";
      known(es, at, "algorithmName", "algorithmSettings");
      String name = es.path("algorithmName").asText("");
      if (!name.equals("medianstop")) {
        problem(
            at + ".algorithmName", "'%s' is not medianstop, the one early stopping there is", name);
      }
      int minTrials = 3;
      int startStep = 4;
      JsonNode list = es.path("algorithmSettings");
      for (int i = 0; i < list.size(); i++) {
        String k = list.get(i).path("name").asText();
        String v = list.get(i).path("value").asText();
        String path = at + ".algorithmSettings." + k;
        int n;
        try {
          n = Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
          problem(path, "'%s' is not a whole number", v);
          continue;
        }
        switch (k) {
          case "min_trials_required" -> {
            if (n <= 0) {
              problem(path, "must be above 0, was %d", n);
            }
            minTrials = n;
          }
          case "start_step" -> {
            if (n < 1) {
              problem(path, "must be at least 1, was %d", n);
            }
            startStep = n;
          }
          default ->
              problem(
                  path,
                  "unknown setting of medianstop; it takes min_trials_required and start_step");
        }
      }
      return new MedianStop(minTrials, startStep);
    }

    Algorithm algorithm(JsonNode a, String path) {
      known(a, path, "algorithmName", "algorithmSettings");
      String name = a.path("algorithmName").asText("");
      if (name.isEmpty()) {
        problem(path + ".algorithmName", "required");
      } else if (!Search.ALGORITHMS.contains(name)) {
        problem(
            path + ".algorithmName",
            "'%s' is not supported by Keel yet; use one of %s",
            name,
            String.join(", ", Search.ALGORITHMS));
      }
      Map<String, String> settings = new LinkedHashMap<>();
      JsonNode list = a.path("algorithmSettings");
      for (int i = 0; i < list.size(); i++) {
        settings.put(list.get(i).path("name").asText(), list.get(i).path("value").asText());
      }
      for (String k : settings.keySet()) {
        if (Search.ALGORITHMS.contains(name) && !Search.settings(name).contains(k)) {
          problem(
              path + ".algorithmSettings." + k,
              "unknown setting of %s; it takes %s",
              name,
              Search.settings(name));
        }
      }
      return new Algorithm(name, settings);
    }

    List<Parameter> parameters(JsonNode list) {
      List<Parameter> out = new ArrayList<>();
      if (!list.isArray() || list.isEmpty()) {
        problem("spec.parameters", "required: the search space");
        return out;
      }
      Set<String> names = new HashSet<>();
      for (int i = 0; i < list.size(); i++) {
        String at = "spec.parameters[" + i + "]";
        JsonNode p = list.get(i);
        known(p, at, "name", "parameterType", "feasibleSpace");
        String name = p.path("name").asText("");
        if (!names.add(name)) {
          problem(at + ".name", "'%s' appears twice", name);
        }
        String type = p.path("parameterType").asText("");
        JsonNode fs = p.path("feasibleSpace");
        known(fs, at + ".feasibleSpace", "min", "max", "step", "list", "distribution");
        Double min = number(fs.get("min"), at + ".feasibleSpace.min");
        Double max = number(fs.get("max"), at + ".feasibleSpace.max");
        Double step = number(fs.get("step"), at + ".feasibleSpace.step");
        List<String> values = new ArrayList<>();
        fs.path("list").forEach(v -> values.add(v.asText()));
        String dist = fs.path("distribution").asText("uniform");
        if (!Set.of("uniform", "logUniform", "normal", "logNormal").contains(dist)) {
          problem(
              at + ".feasibleSpace.distribution",
              "'%s' is not uniform, logUniform, normal or logNormal",
              dist);
        }
        switch (type) {
          case "int", "double" -> {
            if (min == null || max == null) {
              problem(at + ".feasibleSpace", "%s parameters need min and max", type);
            } else if (min > max) {
              problem(at + ".feasibleSpace.min", "is above max");
            }
            if (!values.isEmpty()) {
              problem(at + ".feasibleSpace.list", "not allowed for %s parameters", type);
            }
            if (step != null && step <= 0) {
              problem(at + ".feasibleSpace.step", "must be positive");
            }
            if (dist.startsWith("log") && min != null && min <= 0) {
              problem(at + ".feasibleSpace.min", "a %s parameter needs min > 0", dist);
            }
          }
          case "categorical", "discrete" -> {
            if (values.isEmpty()) {
              problem(at + ".feasibleSpace.list", "%s parameters need a list", type);
            }
            if (min != null || max != null || step != null) {
              problem(
                  at + ".feasibleSpace",
                  "min, max and step are not allowed for %s parameters",
                  type);
            }
          }
          default ->
              problem(
                  at + ".parameterType", "'%s' is not int, double, categorical or discrete", type);
        }
        out.add(new Parameter(name, type, min, max, step, List.copyOf(values), dist));
      }
      return out;
    }

    TrialTemplate template(JsonNode t, List<Parameter> parameters) {
      String at = "spec.trialTemplate";
      if (t.isMissingNode()) {
        problem(at, "required");
        return null;
      }
      known(
          t,
          at,
          "retain",
          "primaryContainerName",
          "primaryPodLabels",
          "successCondition",
          "failureCondition",
          "trialParameters",
          "trialSpec",
          "configMap");
      if (t.has("configMap")) {
        problem(
            at + ".configMap",
            "trial templates from a ConfigMap are not supported by Keel yet; put the trialSpec inline");
      }
      JsonNode spec = t.path("trialSpec");
      if (!spec.isObject()) {
        if (!t.has("configMap")) {
          problem(at + ".trialSpec", "required");
        }
        return null;
      }
      if (spec.path("apiVersion").asText().isEmpty() || spec.path("kind").asText().isEmpty()) {
        problem(at + ".trialSpec", "apiVersion and kind are required");
      }
      Map<String, String> trialParams = new LinkedHashMap<>();
      Set<String> parameterNames = new HashSet<>();
      parameters.forEach(p -> parameterNames.add(p.name()));
      JsonNode list = t.path("trialParameters");
      for (int i = 0; i < list.size(); i++) {
        String pn = list.get(i).path("name").asText("");
        String ref = list.get(i).path("reference").asText(pn);
        if (pn.contains("{") || pn.contains("}")) {
          problem(at + ".trialParameters[" + i + "].name", "must not contain { or }");
        }
        if (trialParams.put(pn, ref) != null) {
          problem(at + ".trialParameters[" + i + "].name", "'%s' appears twice", pn);
        }
        if (!ref.startsWith("${trialSpec.") && !parameterNames.contains(ref)) {
          problem(
              at + ".trialParameters[" + i + "].reference",
              "'%s' is not a parameter of spec.parameters",
              ref);
        }
      }
      String text = Json.write(spec);
      Matcher m = TRIAL_PARAM.matcher(text);
      Set<String> used = new HashSet<>();
      while (m.find()) {
        used.add(m.group(1));
        if (!trialParams.containsKey(m.group(1))) {
          problem(
              at + ".trialSpec",
              "${trialParameters.%s} is not declared in trialParameters",
              m.group(1));
        }
      }
      for (String declared : trialParams.keySet()) {
        if (!used.contains(declared)) {
          problem(at + ".trialParameters", "'%s' is never used in the trialSpec", declared);
        }
      }
      String primary = t.path("primaryContainerName").asText("");
      if (primary.isEmpty()) {
        problem(at + ".primaryContainerName", "required");
      }
      return new TrialTemplate(
          primary, trialParams, (ObjectNode) spec, t.path("retain").asBoolean(false));
    }

    /**
     * The collector's kind, its filters into {@code formats} and, into {@code source}, the path and
     * format it reads, with the defaults and checks of Katib's webhook.
     */
    String collector(JsonNode mc, List<Pattern> formats, String[] source) {
      String at = "spec.metricsCollectorSpec";
      known(mc, at, "collector", "source");
      known(mc.path("collector"), at + ".collector", "kind", "customCollector");
      known(mc.path("source"), at + ".source", "fileSystemPath", "filter", "httpGet");
      String kind = mc.path("collector").path("kind").asText("StdOut");
      if (kind.equals("None")) {
        kind = "Push"; // Katib's name for it before v0.18
      }
      JsonNode fs = mc.path("source").path("fileSystemPath");
      String fsAt = at + ".source.fileSystemPath";
      known(fs, fsAt, "path", "kind", "format");
      switch (kind) {
        case "StdOut", "Push" -> {
          if (!fs.isMissingNode()) {
            problem(
                fsAt,
                "the %s collector reads no file; fileSystemPath is for File and TensorFlowEvent",
                kind);
          }
        }
        case "File" -> {
          source[0] = fs.path("path").asText("/var/log/katib/metrics.log");
          source[1] = fs.path("format").asText("TEXT");
          if (!fs.path("kind").asText("File").equals("File")) {
            problem(
                fsAt + ".kind",
                "the File collector reads a File, not a %s",
                fs.path("kind").asText());
          }
          if (!Set.of("TEXT", "JSON").contains(source[1])) {
            problem(fsAt + ".format", "'%s' is not TEXT or JSON", source[1]);
          }
          if (source[1].equals("JSON") && mc.path("source").has("filter")) {
            problem(at + ".source.filter", "a JSON metrics file takes no filter");
          }
        }
        case "TensorFlowEvent" -> {
          source[0] = fs.path("path").asText("/var/log/katib/tfevent/");
          if (!fs.path("kind").asText("Directory").equals("Directory")) {
            problem(
                fsAt + ".kind",
                "the TensorFlowEvent collector reads a Directory, not a %s",
                fs.path("kind").asText());
          }
          if (fs.has("format")) {
            problem(fsAt + ".format", "the TensorFlowEvent collector takes no format");
          }
          if (mc.path("source").has("filter")) {
            problem(at + ".source.filter", "the TensorFlowEvent collector takes no filter");
          }
        }
        default ->
            problem(
                at + ".collector.kind",
                "the %s collector is not supported by Keel; StdOut, File, TensorFlowEvent and Push are",
                kind);
      }
      if (source[0] != null && !source[0].startsWith("/")) {
        problem(fsAt + ".path", "'%s' is not an absolute path", source[0]);
      } else if (source[0] != null
          && java.util.Arrays.asList(source[0].split("/")).contains("..")) {
        problem(fsAt + ".path", "'%s' must not go up with '..'", source[0]);
      }
      JsonNode filters = mc.path("source").path("filter").path("metricsFormat");
      for (int i = 0; i < filters.size(); i++) {
        String f = filters.get(i).asText();
        try {
          Pattern p = Pattern.compile(goRegex(f));
          if (p.matcher("").groupCount() < 2) {
            problem(
                at + ".source.filter.metricsFormat[" + i + "]",
                "needs two groups: the name and the value");
          }
          formats.add(p);
        } catch (RuntimeException e) {
          problem(
              at + ".source.filter.metricsFormat[" + i + "]",
              "not a regular expression: %s",
              e.getMessage());
        }
      }
      if (formats.isEmpty()) {
        formats.add(Pattern.compile(DEFAULT_FILTER));
      }
      return kind;
    }
  }

  /**
   * A Go (RE2) regular expression as Java reads it: a brace that starts no repetition is a plain
   * character in Go, as in Katib's {@code {metricName: ([\w|-]+), metricValue: ...}} filter, and is
   * escaped for Java.
   */
  static String goRegex(String re) {
    StringBuilder out = new StringBuilder();
    boolean inClass = false;
    for (int i = 0; i < re.length(); i++) {
      char c = re.charAt(i);
      if (c == '\\' && i + 1 < re.length()) {
        out.append(c).append(re.charAt(++i));
      } else if (inClass) {
        out.append(c);
        inClass = c != ']';
      } else if (c == '[') {
        out.append(c);
        inClass = true;
        if (i + 1 < re.length() && re.charAt(i + 1) == ']') {
          out.append(re.charAt(++i));
        }
      } else if (c == '{') {
        java.util.regex.Matcher m =
            Pattern.compile("\\{\\d+(,\\d*)?}").matcher(re).region(i, re.length());
        if (m.lookingAt() && i > 0) {
          out.append(m.group());
          i = m.end() - 1;
        } else {
          out.append("\\{");
        }
      } else if (c == '}') {
        out.append("\\}");
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
