package dev.keel.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.Json;
import dev.keel.core.Problem;
import dev.keel.core.ValidationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Maps container images to programs on this machine: the local runtime cannot pull images, so it
 * runs a task's command with the programs an image stands for. The first matching entry wins.
 *
 * <p>A user file (YAML) lists entries that take precedence over the defaults:
 *
 * <pre>
 * images:
 *   - pattern: "gcr.io/my-project/trainer*"
 *     programs: {train: /opt/trainer/bin/train}
 *     env: {MODEL_DIR: /data/models}
 * </pre>
 */
public final class ImageMap {
  private final List<Entry> entries;

  private record Entry(Pattern glob, ImageMapping mapping) {}

  private ImageMap(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** The built-in mappings: python, small Linux images, Keel's own Java image. */
  public static ImageMap defaults() {
    String python = systemPython();
    Map<String, String> py = Map.of("python3", python, "python", python);
    String pyDesc = "local " + python;
    // scripts that say "python3" (KFP's component launchers do) find the same interpreter first
    Path pyDir = Path.of(python).getParent();
    String hostPath = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    Map<String, String> pyEnv =
        pyDir == null ? Map.of() : Map.of("PATH", pyDir + java.io.File.pathSeparator + hostPath);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = System.getProperty("keel.java.classpath");
    if (classpath == null || classpath.isBlank()) {
      classpath = System.getProperty("java.class.path", "");
    }
    classpath = absolute(classpath);
    String host = "host programs (/bin/sh and PATH)";
    List<Entry> list = new ArrayList<>();
    for (String p : List.of("python:*", "python", "*/python:*", "*python-3*", "*python3*")) {
      list.add(entry(new ImageMapping(p, py, pyEnv, pyDesc)));
    }
    for (String p :
        List.of("alpine*", "busybox*", "ubuntu*", "debian*", "*/alpine*", "*/busybox*")) {
      list.add(entry(new ImageMapping(p, Map.of(), Map.of(), host)));
    }
    list.add(
        entry(
            new ImageMapping(
                "keel/java*",
                Map.of("java", java),
                Map.of("CLASSPATH", classpath),
                "local " + java + " with Keel's classpath")));
    return new ImageMap(list);
  }

  /**
   * The defaults with the entries of a user file in front of them.
   *
   * @throws ValidationException naming the entry and field when the file is wrong
   */
  public static ImageMap load(Path yamlFile) {
    JsonNode root;
    try {
      root = Json.yaml().readTree(Files.readString(yamlFile));
    } catch (IOException e) {
      throw new ValidationException(
          new Problem(yamlFile.toString(), "cannot read image map: " + e.getMessage()));
    }
    List<Problem> problems = new ArrayList<>();
    List<Entry> list = new ArrayList<>();
    JsonNode images = root == null ? null : root.get("images");
    if (images == null || !images.isArray()) {
      throw new ValidationException(
          new Problem(yamlFile + ": images", "expected a list of image mappings"));
    }
    for (int i = 0; i < images.size(); i++) {
      JsonNode n = images.get(i);
      String at = yamlFile + ": images[" + i + "]";
      n.fieldNames()
          .forEachRemaining(
              f -> {
                if (!List.of("pattern", "programs", "env", "description").contains(f)) {
                  problems.add(new Problem(at + "." + f, "unknown field"));
                }
              });
      String pattern = n.path("pattern").asText("");
      if (pattern.isBlank()) {
        problems.add(new Problem(at + ".pattern", "required"));
        continue;
      }
      Map<String, String> programs = strings(n.get("programs"), at + ".programs", problems);
      Map<String, String> env = strings(n.get("env"), at + ".env", problems);
      String desc =
          n.hasNonNull("description")
              ? n.get("description").asText()
              : programs.isEmpty() ? "host programs" : "local " + programs.values();
      list.add(entry(new ImageMapping(pattern, programs, env, desc)));
    }
    if (!problems.isEmpty()) {
      throw new ValidationException(problems);
    }
    list.addAll(defaults().entries);
    return new ImageMap(list);
  }

  private static Map<String, String> strings(JsonNode n, String at, List<Problem> problems) {
    Map<String, String> m = new LinkedHashMap<>();
    if (n == null || n.isNull()) {
      return m;
    }
    if (!n.isObject()) {
      problems.add(new Problem(at, "expected a mapping of names to strings"));
      return m;
    }
    n.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
    return m;
  }

  /** A map with {@code mapping} for {@code pattern} in front of these entries. */
  public ImageMap with(String pattern, ImageMapping mapping) {
    List<Entry> list = new ArrayList<>();
    list.add(
        new Entry(
            glob(pattern),
            new ImageMapping(pattern, mapping.programs(), mapping.env(), mapping.description())));
    list.addAll(entries);
    return new ImageMap(list);
  }

  /** The mapping for an image; never {@code null}: unmapped images run host programs. */
  public ImageMapping resolve(String image) {
    String ref = image == null ? "" : image.strip();
    for (Entry e : entries) {
      if (e.glob.matcher(ref).matches()) {
        return e.mapping;
      }
    }
    if (ref.isEmpty()) {
      return new ImageMapping("", Map.of(), Map.of(), "host programs (no image given)");
    }
    return new ImageMapping(
        "",
        Map.of(),
        Map.of(),
        "image '" + ref + "' is not in the image map; running host programs");
  }

  private static Entry entry(ImageMapping m) {
    return new Entry(glob(m.pattern()), m);
  }

  private static Pattern glob(String glob) {
    StringBuilder re = new StringBuilder();
    for (char c : glob.toCharArray()) {
      switch (c) {
        case '*' -> re.append(".*");
        case '?' -> re.append('.');
        default -> re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString());
  }

  /** The classpath with every entry made absolute: tasks run in folders of their own. */
  private static String absolute(String classpath) {
    List<String> parts = new ArrayList<>();
    for (String p : classpath.split(java.io.File.pathSeparator)) {
      if (!p.isEmpty()) {
        parts.add(Path.of(p).toAbsolutePath().normalize().toString());
      }
    }
    return String.join(java.io.File.pathSeparator, parts);
  }

  private static String systemPython() {
    if (Files.isExecutable(Path.of("/usr/bin/python3"))) {
      return "/usr/bin/python3";
    }
    String found = Programs.onPath("python3", System.getenv("PATH"));
    return found == null ? "python3" : found;
  }
}
