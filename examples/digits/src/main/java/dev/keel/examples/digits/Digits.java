package dev.keel.examples.digits;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import org.tribuo.Example;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * The components of the digits pipeline, one subcommand each: {@code load}, {@code split}, {@code
 * train} and {@code evaluate}. Keel runs them as processes; they read and write the paths KFP's
 * placeholders give them and report metrics through KFP's executor output file.
 */
public final class Digits {
  static final int PIXELS = 64;
  static final String HEADER;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Name of the ONNX model inside the model artifact's folder. */
  static final String ONNX_FILE = "model.onnx";

  /** ONNX metadata key holding the class labels in the order of the model's output columns. */
  static final String LABELS_KEY = "dev.keel.examples.digits.labels";

  private static final Map<String, Set<String>> OPTIONS =
      Map.of(
          "load", Set.of("dataset"),
          "split", Set.of("dataset", "test-fraction", "seed", "train", "test"),
          "train", Set.of("train", "epochs", "seed", "model", "executor-output"),
          "evaluate",
              Set.of("test", "model", "metrics", "classification-metrics", "executor-output"));

  static {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < PIXELS; i++) {
      sb.append(pixel(i)).append(',');
    }
    HEADER = sb.append("label").toString();
  }

  private Digits() {}

  /** Entry point for Keel's tasks: {@code Digits load|split|train|evaluate --name value ...}. */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs a subcommand; returns the exit code instead of exiting. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0) {
      err.println("usage: Digits load|split|train|evaluate --name value ...");
      return 2;
    }
    try {
      Set<String> allowed = OPTIONS.get(args[0]);
      if (allowed == null) {
        throw new BadInput("unknown subcommand '" + args[0] + "' (load, split, train, evaluate)");
      }
      Map<String, String> opts = options(args, allowed);
      switch (args[0]) {
        case "load" -> load(opts, out);
        case "split" -> split(opts, out);
        case "train" -> train(opts, out);
        case "evaluate" -> evaluate(opts, out);
        default -> throw new BadInput("unknown subcommand '" + args[0] + "'");
      }
      return 0;
    } catch (BadInput e) {
      err.println("digits: " + e.getMessage());
      return 2;
    } catch (NoSuchFileException e) {
      err.println("digits: " + args[0] + ": no such file or directory: " + e.getFile());
      return 1;
    } catch (IOException | OrtException e) {
      err.println("digits: " + args[0] + ": " + oneLine(e));
      return 1;
    } catch (RuntimeException e) {
      err.println(
          "digits: " + args[0] + " failed: " + e.getClass().getSimpleName() + ": " + oneLine(e));
      return 1;
    }
  }

  private static String oneLine(Exception e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m.strip().replaceAll("\\s*\\R\\s*", " ");
  }

  // ------------------------------------------------------------------ subcommands

  static void load(Map<String, String> o, PrintStream out) throws IOException {
    Path dataset = path(o, "dataset");
    List<int[]> rows = new ArrayList<>();
    InputStream raw = Digits.class.getResourceAsStream("digits.csv.gz");
    if (raw == null) {
      throw new BadInput("digits.csv.gz is missing from the classpath");
    }
    try (raw;
        BufferedReader r =
            new BufferedReader(
                new InputStreamReader(new GZIPInputStream(raw), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (!line.isBlank()) {
          rows.add(parseRow(line, rows.size() + 1));
        }
      }
    }
    write(dataset, rows);
    out.printf("loaded %d images of %d pixels into %s%n", rows.size(), PIXELS, dataset);
  }

  static void split(Map<String, String> o, PrintStream out) throws IOException {
    double testFraction = number(o, "test-fraction");
    if (!(testFraction > 0 && testFraction < 1)) {
      throw new BadInput("--test-fraction must be between 0 and 1, was " + testFraction);
    }
    long seed = integer(o, "seed");
    List<int[]> rows = read(path(o, "dataset"));
    Map<Integer, List<int[]>> byLabel = new LinkedHashMap<>();
    for (int[] row : rows) {
      byLabel.computeIfAbsent(row[PIXELS], k -> new ArrayList<>()).add(row);
    }
    List<int[]> train = new ArrayList<>();
    List<int[]> test = new ArrayList<>();
    Random random = new Random(seed);
    for (List<int[]> group : byLabel.values()) {
      Collections.shuffle(group, random);
      int n = (int) Math.round(group.size() * testFraction);
      test.addAll(group.subList(0, n));
      train.addAll(group.subList(n, group.size()));
    }
    Collections.shuffle(train, random);
    write(path(o, "train"), train);
    write(path(o, "test"), test);
    out.printf(
        "split %d rows: %d train, %d test (stratified, seed %d)%n",
        rows.size(), train.size(), test.size(), seed);
  }

  static void train(Map<String, String> o, PrintStream out) throws IOException {
    int epochs = (int) integer(o, "epochs");
    if (epochs < 1) {
      throw new BadInput("--epochs must be at least 1, was " + epochs);
    }
    long seed = integer(o, "seed");
    List<int[]> rows = read(path(o, "train"));
    LinearSGDModel model = fit(rows, epochs, seed);
    Path dir = path(o, "model");
    Files.createDirectories(dir);
    List<String> labels = saveOnnx(model, dir.resolve(ONNX_FILE));
    Files.writeString(dir.resolve("labels.json"), JSON.writeValueAsString(labels));
    ObjectNode md = JSON.createObjectNode();
    md.put("framework", "tribuo");
    md.put("format", "onnx");
    md.put("trainer", "LinearSGDTrainer(LogMulticlass, AdaGrad(0.1))");
    md.put("seed", seed);
    md.put("epochs", epochs);
    md.put("train_rows", rows.size());
    writeExecutorOutput(o, Map.of("model", md));
    out.printf(
        "trained a logistic regression on %d rows for %d epochs; ONNX model in %s%n",
        rows.size(), epochs, dir);
  }

  static void evaluate(Map<String, String> o, PrintStream out) throws IOException, OrtException {
    List<int[]> rows = read(path(o, "test"));
    Path model = path(o, "model");
    Path onnx = Files.isDirectory(model) ? model.resolve(ONNX_FILE) : model;
    if (!Files.isRegularFile(onnx)) {
      throw new BadInput("--model: no ONNX model at " + onnx);
    }
    List<String> labels = onnxLabels(onnx);
    int[] predicted = predictOnnx(onnx, rows);
    List<String> categories = new ArrayList<>();
    for (int d = 0; d <= 9; d++) {
      categories.add(String.valueOf(d));
    }
    int[][] confusion = new int[10][10];
    int correct = 0;
    for (int i = 0; i < rows.size(); i++) {
      int truth = rows.get(i)[PIXELS];
      int guess = Integer.parseInt(labels.get(predicted[i]));
      if (truth < 0 || truth > 9) {
        throw new BadInput("test row " + (i + 1) + " has label " + truth + ", not a digit");
      }
      confusion[truth][guess]++;
      if (truth == guess) {
        correct++;
      }
    }
    double accuracy = (double) correct / rows.size();
    ObjectNode metrics = JSON.createObjectNode();
    metrics.put("accuracy", accuracy);
    metrics.put("test_rows", rows.size());
    ObjectNode cm = JSON.createObjectNode();
    ObjectNode matrix = cm.putObject("confusionMatrix");
    ArrayNode specs = matrix.putArray("annotationSpecs");
    categories.forEach(c -> specs.addObject().put("displayName", c));
    ArrayNode rowsNode = matrix.putArray("rows");
    for (int[] r : confusion) {
      ArrayNode row = rowsNode.addObject().putArray("row");
      for (int v : r) {
        row.add(v);
      }
    }
    Path metricsPath = path(o, "metrics");
    Path cmPath = path(o, "classification-metrics");
    Files.createDirectories(metricsPath.toAbsolutePath().getParent());
    Files.createDirectories(cmPath.toAbsolutePath().getParent());
    Files.writeString(
        metricsPath, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(metrics));
    Files.writeString(cmPath, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(cm));
    writeExecutorOutput(o, Map.of("metrics", metrics, "classification_metrics", cm));
    out.printf("accuracy %.4f on %d test images (scored by ONNX Runtime)%n", accuracy, rows.size());
  }

  // ------------------------------------------------------------------ ML

  static LinearSGDModel fit(List<int[]> rows, int epochs, long seed) {
    LabelFactory factory = new LabelFactory();
    MutableDataset<Label> data =
        new MutableDataset<>(new SimpleDataSourceProvenance("digits", factory), factory);
    for (int[] row : rows) {
      data.add(example(row));
    }
    LinearSGDTrainer trainer =
        new LinearSGDTrainer(
            new LogMulticlass(), new AdaGrad(0.1, 0.1), epochs, Math.max(1, rows.size()), 1, seed);
    return (LinearSGDModel) trainer.train(data);
  }

  static Example<Label> example(int[] row) {
    String[] names = new String[PIXELS];
    double[] values = new double[PIXELS];
    for (int i = 0; i < PIXELS; i++) {
      names[i] = pixel(i);
      values[i] = row[i] / 16.0;
    }
    return new ArrayExample<>(new Label(String.valueOf(row[PIXELS])), names, values);
  }

  /**
   * Writes the model as ONNX with its class labels (in output-column order) in the model's metadata
   * under {@link #LABELS_KEY}, so the file alone is enough to score with; returns the labels.
   */
  static List<String> saveOnnx(LinearSGDModel model, Path onnx) throws IOException {
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < model.getOutputIDInfo().size(); i++) {
      labels.add(model.getOutputIDInfo().getOutput(i).getLabel());
    }
    OnnxMl.ModelProto proto =
        model.exportONNXModel("dev.keel.examples.digits", 1).toBuilder()
            .addMetadataProps(
                OnnxMl.StringStringEntryProto.newBuilder()
                    .setKey(LABELS_KEY)
                    .setValue(String.join(",", labels)))
            .build();
    try (OutputStream os = Files.newOutputStream(onnx)) {
      proto.writeTo(os);
    }
    return labels;
  }

  /** The class labels stored in an ONNX model written by {@link #saveOnnx}. */
  static List<String> onnxLabels(Path onnx) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession session = env.createSession(onnx.toString(), new OrtSession.SessionOptions())) {
      String value = session.getMetadata().getCustomMetadata().get(LABELS_KEY);
      if (value == null || value.isBlank()) {
        throw new BadInput(onnx + " has no '" + LABELS_KEY + "' metadata (not written by train)");
      }
      return List.of(value.split(","));
    }
  }

  /** Class indices predicted by the ONNX model; features in the model's (sorted) order. */
  static int[] predictOnnx(Path onnx, List<int[]> rows) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    float[][] input = new float[rows.size()][PIXELS];
    for (int i = 0; i < rows.size(); i++) {
      for (int p = 0; p < PIXELS; p++) {
        input[i][p] = (float) (rows.get(i)[p] / 16.0);
      }
    }
    try (OrtSession session = env.createSession(onnx.toString(), new OrtSession.SessionOptions());
        OnnxTensor tensor = OnnxTensor.createTensor(env, input)) {
      String inputName = session.getInputNames().iterator().next();
      try (OrtSession.Result result = session.run(Map.of(inputName, tensor))) {
        float[][] scores = (float[][]) result.get(0).getValue();
        int[] best = new int[rows.size()];
        for (int i = 0; i < scores.length; i++) {
          int arg = 0;
          for (int k = 1; k < scores[i].length; k++) {
            if (scores[i][k] > scores[i][arg]) {
              arg = k;
            }
          }
          best[i] = arg;
        }
        return best;
      }
    }
  }

  // ------------------------------------------------------------------ files and arguments

  static String pixel(int i) {
    return String.format("px%02d", i);
  }

  private static int[] parseRow(String line, int lineNo) {
    String[] cells = line.split(",");
    if (cells.length != PIXELS + 1) {
      throw new BadInput(
          "line " + lineNo + ": expected " + (PIXELS + 1) + " values, found " + cells.length);
    }
    int[] row = new int[PIXELS + 1];
    for (int i = 0; i < cells.length; i++) {
      try {
        row[i] = (int) Double.parseDouble(cells[i].strip());
      } catch (NumberFormatException e) {
        throw new BadInput("line " + lineNo + ": '" + cells[i] + "' is not a number");
      }
    }
    return row;
  }

  static List<int[]> read(Path csv) throws IOException {
    if (!Files.isRegularFile(csv)) {
      throw new BadInput("no dataset at " + csv);
    }
    List<String> lines = Files.readAllLines(csv);
    if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
      throw new BadInput(csv + " is not a digits CSV (first line must be the header)");
    }
    List<int[]> rows = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      if (!lines.get(i).isBlank()) {
        rows.add(parseRow(lines.get(i), i + 1));
      }
    }
    return rows;
  }

  static void write(Path csv, List<int[]> rows) throws IOException {
    Path parent = csv.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    StringBuilder sb = new StringBuilder(HEADER).append('\n');
    for (int[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        sb.append(i == 0 ? "" : ",").append(row[i]);
      }
      sb.append('\n');
    }
    Files.writeString(csv, sb);
  }

  private static void writeExecutorOutput(Map<String, String> o, Map<String, ObjectNode> metadata)
      throws IOException {
    String file = o.get("executor-output");
    if (file == null) {
      return;
    }
    ObjectNode root = JSON.createObjectNode();
    ObjectNode artifacts = root.putObject("artifacts");
    metadata.forEach(
        (name, md) -> {
          ObjectNode a = artifacts.putObject(name).putArray("artifacts").addObject();
          a.put("name", name);
          a.set("metadata", md);
        });
    Path p = Path.of(file);
    if (p.toAbsolutePath().getParent() != null) {
      Files.createDirectories(p.toAbsolutePath().getParent());
    }
    Files.writeString(p, JSON.writeValueAsString(root));
  }

  static Map<String, String> options(String[] args, Set<String> allowed) {
    Map<String, String> o = new HashMap<>();
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        throw new BadInput("expected --name value pairs, found '" + a + "'");
      }
      String name = a.substring(2);
      if (!allowed.contains(name)) {
        throw new BadInput(
            "unknown option "
                + a
                + " for "
                + args[0]
                + " (takes --"
                + String.join(", --", new TreeSet<>(allowed))
                + ")");
      }
      if (i + 1 >= args.length) {
        throw new BadInput(a + " needs a value");
      }
      if (o.put(name, args[++i]) != null) {
        throw new BadInput(a + " is given twice");
      }
    }
    return o;
  }

  private static Path path(Map<String, String> o, String name) {
    String v = o.get(name);
    if (v == null || v.isBlank()) {
      throw new BadInput("--" + name + " is required");
    }
    return Path.of(v);
  }

  private static double number(Map<String, String> o, String name) {
    String v = o.get(name);
    if (v == null) {
      throw new BadInput("--" + name + " is required");
    }
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new BadInput("--" + name + " must be a number, was '" + v + "'");
    }
  }

  private static long integer(Map<String, String> o, String name) {
    String v = o.get(name);
    if (v == null) {
      throw new BadInput("--" + name + " is required");
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new BadInput("--" + name + " must be an integer, was '" + v + "'");
    }
  }

  /** Input the component refuses, with a one-line reason. */
  static final class BadInput extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadInput(String message) {
      super(message, null, false, false);
    }
  }
}
