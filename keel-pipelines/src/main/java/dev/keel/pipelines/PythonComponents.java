package dev.keel.pipelines;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs KFP's lightweight Python components offline. Their compiled command first pip-installs
 * {@code kfp} (and {@code packages_to_install}), then runs {@code python3 -m
 * kfp.dsl.executor_main}. Keel drops the pip stage, puts its own small {@code kfp} package on
 * {@code PYTHONPATH}, and hands the requested packages to it, which checks they are importable and
 * names the missing ones instead of hanging on an index it cannot reach.
 */
final class PythonComponents {
  private static final String[] FILES = {
    "kfp/__init__.py", "kfp/dsl/__init__.py", "kfp/dsl/executor_main.py"
  };
  private static final Pattern QUOTED = Pattern.compile("'([^']*)'");

  /** A KFP lightweight launch rewritten to run offline. */
  record Launch(List<String> command, List<String> packages) {}

  private PythonComponents() {}

  /**
   * Recognises {@code [sh, -c, <pip install kfp ...>, sh, -ec, <executor_main>, <source>]} and
   * returns the command without its pip stage, or {@code null} for any other command.
   */
  static Launch recognise(List<String> command) {
    if (command.size() < 6
        || !command.get(0).equals("sh")
        || !command.get(1).equals("-c")
        || !command.get(2).contains("pip install")
        || !command.get(2).contains("kfp")) {
      return null;
    }
    int second = -1;
    for (int i = 3; i + 2 < command.size(); i++) {
      if (command.get(i + 2).contains("kfp.dsl.executor_main")) {
        second = i;
        break;
      }
    }
    if (second < 0) {
      return null;
    }
    List<String> packages = new ArrayList<>();
    Matcher m = QUOTED.matcher(command.get(2));
    while (m.find()) {
      String token = m.group(1).strip();
      if (token.isEmpty()
          || token.startsWith("-")
          || token.startsWith("kfp==")
          || token.equals("kfp")
          || token.startsWith("typing-extensions")
          || token.contains("://")) {
        continue;
      }
      packages.add(token);
    }
    return new Launch(List.copyOf(command.subList(second, command.size())), packages);
  }

  /** Writes Keel's {@code kfp} package under {@code dir} (once per engine) and returns it. */
  static Path install(Path dir) {
    try {
      Files.createDirectories(dir.resolve("kfp/dsl"));
      for (String file : FILES) {
        try (InputStream in = PythonComponents.class.getResourceAsStream("python/" + file)) {
          if (in == null) {
            throw new IllegalStateException("missing resource python/" + file);
          }
          Path target = dir.resolve(file);
          Path tmp = Files.createTempFile(target.getParent(), ".keel", ".py");
          Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
          Files.move(
              tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot install Keel's kfp runtime in " + dir, e);
    }
  }
}
