package dev.keel.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.Json;
import dev.keel.core.Problem;
import dev.keel.core.ValidationException;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Maps container images to programs on this machine: the local runtime cannot pull images, so it
 * runs a task's command with the programs an image stands for. The first matching entry wins; an
 * image no entry matches runs host programs (PATH), and the log's first line says so.
 *
 * <p>Patterns are globs on the whole image reference: {@code *} matches any run of characters
 * (slashes included) and {@code ?} one character, so {@code python:*} matches {@code python:3.11}
 * and {@code *}{@code /python-3*} matches {@code registry.example.com/python-311}.
 *
 * <p>Defaults ({@link #defaults()}):
 *
 * <ul>
 *   <li>{@code python}, {@code python:*} and every image whose name (the last path segment, tag and
 *       digest left out) contains {@code python}: {@code python3} and {@code python} run the system
 *       Python ({@code /usr/bin/python3} when present, as Debian's sees the distribution's
 *       packages, else {@code python3} on PATH), whose folder comes first on PATH;
 *   <li>{@code alpine*}, {@code busybox*}, {@code ubuntu*}, {@code debian*} (by name, any
 *       registry): host {@code /bin/sh} and PATH;
 *   <li>{@code keel/java*}: {@code java} runs this JVM's {@code bin/java} with {@code CLASSPATH}
 *       set to Keel's own classpath (system property {@code keel.java.classpath} overrides it).
 * </ul>
 *
 * <p>A user file (YAML) lists entries that take precedence over the defaults:
 *
 * <pre>
 * images:
 *   - pattern: "gcr.io/my-project/trainer*"
 *     programs: {train: /opt/trainer/bin/train}
 *     env: {MODEL_DIR: /data/models}
 *     description: my trainer, installed locally   # optional
 * </pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class ImageMap {
  private static final List<String> FIELDS = List.of("pattern", "programs", "env", "description");
  private static final int CACHE_LIMIT = 1024;

  private final List<Entry> entries;

  /** Images seen before: a DAG of thousands of tasks names the same few. */
  private final Map<String, ImageMapping> resolved = new ConcurrentHashMap<>();

  /** One entry: a test on the image reference and what a match maps to. */
  private record Entry(Predicate<String> matches, ImageMapping mapping) {}

  private ImageMap(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** The built-in mappings: Python, small Linux images, Keel's own Java image. */
  public static ImageMap defaults() {
    String python = systemPython();
    Map<String, String> py = Map.of("python3", python, "python", python);
    // scripts that say "python3" (KFP's component launchers do) find the same interpreter first
    Path pyDir = Path.of(python).getParent();
    String hostPath = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    Map<String, String> pyEnv =
        pyDir == null ? Map.of() : Map.of("PATH", pyDir + File.pathSeparator + hostPath);
    String pyDesc = "local " + python;
    List<Entry> list = new ArrayList<>();
    for (String p : List.of("python", "python:*")) {
      list.add(glob(new ImageMapping(p, py, pyEnv, pyDesc)));
    }
    list.add(
        new Entry(
            image -> imageName(image).contains("python"),
            new ImageMapping("*python*", py, pyEnv, pyDesc)));
    String host = "host programs (/bin/sh and PATH)";
    for (String distro : List.of("alpine", "busybox", "ubuntu", "debian")) {
      list.add(
          new Entry(
              image -> imageName(image).startsWith(distro),
              new ImageMapping(distro + "*", Map.of(), Map.of(), host)));
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    list.add(
        glob(
            new ImageMapping(
                "keel/java*",
                Map.of("java", java),
                Map.of("CLASSPATH", keelClasspath()),
                "local " + java + " with Keel's classpath")));
    return new ImageMap(list);
  }

  /**
   * The defaults with the entries of a user file in front of them, in the file's order.
   *
   * @throws ValidationException naming the file, the entry and the field when the file cannot be
   *     read or is not a valid image map
   */
  public static ImageMap load(Path yamlFile) {
    JsonNode root;
    try {
      root = Json.yaml().readTree(Files.readString(yamlFile));
    } catch (IOException | RuntimeException e) {
      throw new ValidationException(
          new Problem(yamlFile.toString(), "cannot read image map: " + firstLine(e)));
    }
    List<Problem> problems = new ArrayList<>();
    JsonNode images = root == null ? null : root.get("images");
    if (images == null || !images.isArray()) {
      throw new ValidationException(
          new Problem(
              yamlFile + ": images",
              "expected a list of image mappings (images: [{pattern: ..., programs: {...}}])"));
    }
    root.fieldNames()
        .forEachRemaining(
            f -> {
              if (!f.equals("images")) {
                problems.add(new Problem(yamlFile + ": " + f, "unknown field"));
              }
            });
    List<Entry> list = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      ImageMapping m = mapping(images.get(i), yamlFile + ": images[" + i + "]", problems);
      if (m != null) {
        list.add(glob(m));
      }
    }
    if (!problems.isEmpty()) {
      throw new ValidationException(problems);
    }
    list.addAll(defaults().entries);
    return new ImageMap(list);
  }

  private static ImageMapping mapping(JsonNode n, String at, List<Problem> problems) {
    if (!n.isObject()) {
      problems.add(new Problem(at, "expected a mapping with pattern, programs, env, description"));
      return null;
    }
    n.fieldNames()
        .forEachRemaining(
            f -> {
              if (!FIELDS.contains(f)) {
                problems.add(new Problem(at + "." + f, "unknown field; expected one of " + FIELDS));
              }
            });
    JsonNode pattern = n.get("pattern");
    if (pattern == null || !pattern.isTextual() || pattern.asText().isBlank()) {
      problems.add(new Problem(at + ".pattern", "required: a glob on the image reference"));
      return null;
    }
    Map<String, String> programs = strings(n.get("programs"), at + ".programs", problems);
    Map<String, String> env = strings(n.get("env"), at + ".env", problems);
    JsonNode d = n.get("description");
    if (d != null && !d.isNull() && !d.isTextual()) {
      problems.add(new Problem(at + ".description", "expected a string"));
    }
    String desc =
        d != null && d.isTextual()
            ? d.asText()
            : programs.isEmpty()
                ? "host programs"
                : "local " + String.join(", ", programs.values());
    return new ImageMapping(pattern.asText().strip(), programs, env, desc);
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
    for (Map.Entry<String, JsonNode> e : n.properties()) {
      if (e.getValue().isValueNode() && !e.getValue().isNull()) {
        m.put(e.getKey(), e.getValue().asText());
      } else {
        problems.add(new Problem(at + "." + e.getKey(), "expected a string"));
      }
    }
    return m;
  }

  /**
   * A map with {@code mapping} in front of these entries, matching images by the glob {@code
   * pattern} (which replaces the mapping's own pattern).
   */
  public ImageMap with(String pattern, ImageMapping mapping) {
    Objects.requireNonNull(pattern, "pattern");
    List<Entry> list = new ArrayList<>();
    list.add(
        glob(new ImageMapping(pattern, mapping.programs(), mapping.env(), mapping.description())));
    list.addAll(entries);
    return new ImageMap(list);
  }

  /**
   * The mapping for an image; never {@code null}. An image no entry matches (or none at all) gets a
   * mapping to host programs whose description says the image is not mapped.
   */
  public ImageMapping resolve(String image) {
    String ref = image == null ? "" : image.strip();
    ImageMapping m = resolved.get(ref);
    if (m == null) {
      m = lookup(ref);
      if (resolved.size() >= CACHE_LIMIT) {
        resolved.clear();
      }
      resolved.put(ref, m);
    }
    return m;
  }

  private ImageMapping lookup(String ref) {
    if (ref.isEmpty()) {
      return new ImageMapping("", Map.of(), Map.of(), "host programs (no image given)");
    }
    for (Entry e : entries) {
      if (e.matches.test(ref)) {
        return e.mapping;
      }
    }
    return new ImageMapping(
        "",
        Map.of(),
        Map.of(),
        "image '" + ref + "' is not in the image map; running host programs");
  }

  /** The image's name: its last path segment without tag or digest ({@code a/b/py:3} → py). */
  static String imageName(String ref) {
    String s = ref;
    int at = s.indexOf('@');
    if (at >= 0) {
      s = s.substring(0, at);
    }
    s = s.substring(s.lastIndexOf('/') + 1);
    int colon = s.indexOf(':');
    return colon >= 0 ? s.substring(0, colon) : s;
  }

  private static Entry glob(ImageMapping m) {
    Pattern re = globPattern(m.pattern());
    return new Entry(image -> re.matcher(image).matches(), m);
  }

  private static Pattern globPattern(String glob) {
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

  /**
   * The classpath {@code keel/java} tasks get: {@code keel.java.classpath} when set, else this
   * JVM's classpath with the code source of Keel's runtime added when it is not on it (Keel loaded
   * by another class loader). Entries are made absolute: tasks run in folders of their own.
   */
  static String keelClasspath() {
    String override = System.getProperty("keel.java.classpath");
    if (override != null && !override.isBlank()) {
      return absolute(override);
    }
    String cp = absolute(System.getProperty("java.class.path", ""));
    String own = ownCodeSource();
    if (own != null && !List.of(cp.split(File.pathSeparator)).contains(own)) {
      cp = cp.isEmpty() ? own : own + File.pathSeparator + cp;
    }
    return cp;
  }

  private static String ownCodeSource() {
    try {
      CodeSource cs = LocalRuntime.class.getProtectionDomain().getCodeSource();
      if (cs == null || cs.getLocation() == null) {
        return null;
      }
      return Path.of(cs.getLocation().toURI()).toAbsolutePath().normalize().toString();
    } catch (URISyntaxException | RuntimeException e) {
      return null; // not a file (a jrt: or nested jar URL): the classpath has to do
    }
  }

  /** The classpath with every entry made absolute. */
  private static String absolute(String classpath) {
    List<String> parts = new ArrayList<>();
    for (String p : classpath.split(File.pathSeparator)) {
      if (!p.isEmpty()) {
        parts.add(Path.of(p).toAbsolutePath().normalize().toString());
      }
    }
    return String.join(File.pathSeparator, parts);
  }

  private static String systemPython() {
    if (Files.isExecutable(Path.of("/usr/bin/python3"))) {
      return "/usr/bin/python3";
    }
    String found = Programs.onPath("python3", System.getenv("PATH"));
    return found == null ? "python3" : found;
  }

  private static String firstLine(Exception e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
