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
    Path out = Files.createTempFile("keel-out", ".txt");
    Path err = Files.createTempFile("keel-err", ".txt");
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
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(in.toFile()));
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(240, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(
          "keel " + String.join(" ", args) + " did not finish in 240 s:\n" + Files.readString(out));
    }
    Result r =
        new Result(
            p.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
    Files.deleteIfExists(in);
    Files.deleteIfExists(out);
    Files.deleteIfExists(err);
    return r;
  }

  static Path conformance(String file) {
    return Path.of(System.getProperty("keel.shared", "../../shared"), "conformance", "kfp-ir", file)
        .toAbsolutePath();
  }

  private KeelProcess() {}
}
