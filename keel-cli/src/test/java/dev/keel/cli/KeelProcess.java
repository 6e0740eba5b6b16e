package dev.keel.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real {@code keel} jar run as a separate process, as a user runs it. */
final class KeelProcess {
  static final Path JAR = Path.of(System.getProperty("keel.jar", "target/keel.jar"));
  static final Path REPO = Path.of(System.getProperty("keel.repo", ".."));

  /** What a finished command printed and how it exited. */
  record Result(int code, String out, String err) {
    String all() {
      return out + err;
    }
  }

  static Process start(Path dataDir, Path outFile, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-jar");
    cmd.add(JAR.toAbsolutePath().toString());
    for (String a : args) {
      cmd.add(a);
    }
    if (dataDir != null) {
      cmd.add("--data-dir");
      cmd.add(dataDir.toString());
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(REPO.toFile());
    pb.redirectErrorStream(true);
    pb.redirectOutput(outFile.toFile());
    pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    return pb.start();
  }

  static Result run(Path dataDir, String... args) throws Exception {
    return runWithInput(dataDir, null, args);
  }

  /** Runs a command with {@code input} on its standard input ({@code null}: none). */
  static Result runWithInput(Path dataDir, String input, String... args) throws Exception {
    return runWithEnv(dataDir, input, java.util.Map.of(), args);
  }

  /** Runs a command with these variables added to its environment. */
  static Result runWithEnv(
      Path dataDir, String input, java.util.Map<String, String> env, String... args)
      throws Exception {
    Path in = Files.createTempFile("keel-in", ".txt");
    Files.writeString(in, input == null ? "" : input);
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-jar");
    cmd.add(JAR.toAbsolutePath().toString());
    cmd.addAll(List.of(args));
    if (dataDir != null) {
      cmd.add("--data-dir");
      cmd.add(dataDir.toString());
    }
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(REPO.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(in.toFile()));
    pb.environment().putAll(env);
    try {
      return complete(pb, 240, "keel " + String.join(" ", args));
    } finally {
      Files.deleteIfExists(in);
    }
  }

  /**
   * Starts {@code pb} with its stdout and stderr going to files, waits up to {@code seconds} for it
   * to end, and returns what it printed and how it exited.
   */
  static Result complete(ProcessBuilder pb, int seconds, String what) throws Exception {
    Path out = Files.createTempFile("keel-out", ".txt");
    Path err = Files.createTempFile("keel-err", ".txt");
    try {
      Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(
            what + " did not finish in " + seconds + " s:\n" + Files.readString(out));
      }
      return new Result(
          p.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  static Path conformance(String file) {
    return Path.of(System.getProperty("keel.shared", "../../shared"), "conformance", "kfp-ir", file)
        .toAbsolutePath();
  }

  private KeelProcess() {}
}
