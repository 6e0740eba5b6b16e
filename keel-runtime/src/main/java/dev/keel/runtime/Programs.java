package dev.keel.runtime;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finding programs on a PATH. */
final class Programs {
  private Programs() {}

  private static final java.util.concurrent.ConcurrentHashMap<String, String> FOUND =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * The first executable called {@code name} on {@code path}, or {@code null}. Programs found are
   * remembered (a DAG of thousands of tasks asks for the same few); one that disappears is looked
   * up again.
   */
  static String onPath(String name, String path) {
    if (path == null) {
      return null;
    }
    String key = name + '\0' + path;
    String cached = FOUND.get(key);
    if (cached != null && Files.isExecutable(Path.of(cached))) {
      return cached;
    }
    String found = search(name, path);
    if (found != null) {
      FOUND.put(key, found);
    }
    return found;
  }

  private static String search(String name, String path) {
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p) && !Files.isDirectory(p)) {
        return p.toString();
      }
    }
    return null;
  }
}
