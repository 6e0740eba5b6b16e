package dev.keel.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Volumes of kfp-kubernetes' {@code CreatePVC} and {@code DeletePVC} on this machine: each is a
 * folder {@code <root>/<namespace>/<name>}. The two steps compile to executors with the stub images
 * {@code argostub/createpvc} and {@code argostub/deletepvc}, which KFP's backend runs itself rather
 * than as containers; Keel does the same. Mounting a volume into a task ({@code pvcMount}) needs a
 * container runtime and is reported, not applied, by the local one.
 */
final class LocalVolumes {
  /** A Kubernetes object name (RFC 1123 subdomain): it cannot name a path outside its folder. */
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

  enum Step {
    CREATE,
    DELETE
  }

  private final Path root;

  LocalVolumes(Path root) {
    this.root = root;
  }

  /** The step an executor image stands for, or {@code null} for an ordinary container. */
  static Step step(String image) {
    if (image == null) {
      return null;
    }
    String name = image.strip();
    int tag = name.indexOf(':');
    if (tag >= 0) {
      name = name.substring(0, tag);
    }
    return switch (name) {
      case "argostub/createpvc" -> Step.CREATE;
      case "argostub/deletepvc" -> Step.DELETE;
      default -> null;
    };
  }

  /**
   * The name CreatePVC gives its volume: {@code pvc_name}, else the run's resource name followed by
   * {@code pvc_name_suffix}, as KFP names it after the Argo workflow.
   */
  static String nameFor(Map<String, JsonNode> inputs, String runResourceName) {
    String given = text(inputs.get("pvc_name"));
    String suffix = text(inputs.get("pvc_name_suffix"));
    if (!given.isEmpty() && !suffix.isEmpty()) {
      throw new IllegalArgumentException(
          "inputs.pvc_name: give pvc_name or pvc_name_suffix, not both");
    }
    if (given.isEmpty() && suffix.isEmpty()) {
      throw new IllegalArgumentException("inputs.pvc_name: neither pvc_name nor pvc_name_suffix");
    }
    return given.isEmpty() ? runResourceName.toLowerCase() + suffix : given;
  }

  /** Makes the volume's folder (kept if it exists, as a PVC would be); says what it did. */
  String create(String namespace, String name) {
    Path dir = folder(namespace, name);
    try {
      boolean existed = Files.isDirectory(dir);
      Files.createDirectories(dir);
      return (existed ? "volume " + name + " exists: " : "created volume " + name + ": ")
          + dir
          + " (size, access modes and storage class mean nothing to a local folder)";
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create volume folder " + dir, e);
    }
  }

  /** Deletes the volume's folder and what is in it; says what it did. */
  String delete(String namespace, String name) {
    Path dir = folder(namespace, name);
    if (!Files.exists(dir)) {
      return "volume " + name + " does not exist; nothing to delete";
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete volume folder " + dir, e);
    }
    return "deleted volume " + name + ": " + dir;
  }

  Path folder(String namespace, String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "inputs.pvc_name: '"
              + name
              + "' is not a volume name (lower-case letters, digits, '-' and '.', at most 253)");
    }
    if (namespace == null || !NAME.matcher(namespace).matches()) {
      throw new IllegalArgumentException("namespace '" + namespace + "' is not a namespace name");
    }
    return root.resolve(namespace).resolve(name);
  }

  private static String text(JsonNode v) {
    return v == null || v.isNull() ? "" : Values.text(v).strip();
  }
}
