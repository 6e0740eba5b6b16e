package dev.keel.runtime;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finding programs on a PATH. */
final class Programs {
  private Programs() {}

  /** The first executable called {@code name} on {@code path}, or {@code null}. */
  static String onPath(String name, String path) {
    if (path == null) {
      return null;
    }
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
