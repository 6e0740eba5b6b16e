package dev.keel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.keel.cli.KeelProcess.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./keel}, the README's first command: it runs the jar, and it starts the JVM from a
 * class-data archive it makes once after each build.
 */
class KeelLauncherIT {
  private static final Path SCRIPT = KeelProcess.REPO.resolve("keel").toAbsolutePath();
  private static final Path TARGET = KeelProcess.JAR.toAbsolutePath().getParent();

  @BeforeAll
  static void theJarIsCurrent() throws IOException {
    // with sources newer than the jar, ./keel would run Maven: not something for a test to start
    try (Stream<Path> files = Files.walk(KeelProcess.REPO)) {
      FileTime jar = Files.getLastModifiedTime(KeelProcess.JAR);
      boolean stale =
          files
              .filter(p -> !p.toString().contains("/.git/") && Files.isRegularFile(p))
              .filter(p -> p.toString().contains("/src/main/") || p.endsWith("pom.xml"))
              .anyMatch(p -> modified(p).compareTo(jar) > 0);
      assumeFalse(stale, "sources are newer than the jar; build it first");
    }
  }

  @Test
  void makes_an_archive_after_a_build_and_starts_from_it_quietly() throws Exception {
    for (Path old : archives("cli")) {
      Files.delete(old);
    }

    Result first = keel(Map.of(), "--version");

    assertThat(first.code()).as(first.err()).isZero();
    assertThat(first.out()).matches("keel \\S+\n");
    assertThat(first.err()).isEmpty();
    assertThat(archives("cli")).hasSize(1);
    Path archive = archives("cli").get(0);
    assertThat(modified(archive)).isGreaterThan(modified(KeelProcess.JAR));

    // -Xshare:on makes a JVM that cannot map its archive fail instead of starting without it
    Result shared =
        keel(
            Map.of("KEEL_JAVA_OPTS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:on"),
            "validate",
            "examples/digits/pipeline.yaml");
    assertThat(shared.code()).as(shared.out() + shared.err()).isZero();
    assertThat(shared.err()).isEmpty();
    assertThat(modified(archive)).isEqualTo(modified(archives("cli").get(0))); // not made again
  }

  @Test
  void a_jar_newer_than_the_archive_gets_a_new_one() throws Exception {
    keel(Map.of(), "--version");
    Path archive = archives("cli").get(0);
    FileTime before = FileTime.from(Instant.now().minusSeconds(3600));
    Files.setLastModifiedTime(archive, before);

    Result run = keel(Map.of(), "--version");

    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.err()).isEmpty();
    assertThat(archives("cli")).hasSize(1);
    assertThat(modified(archives("cli").get(0))).isGreaterThan(modified(KeelProcess.JAR));
  }

  @Test
  void without_a_temporary_folder_to_make_it_in_keel_starts_without_an_archive(@TempDir Path dir)
      throws Exception {
    for (Path old : archives("cli")) {
      Files.delete(old);
    }

    Result run = keel(Map.of("TMPDIR", dir.resolve("missing").toString()), "--version");

    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out()).matches("keel \\S+\n");
    assertThat(run.err()).isEmpty();
    assertThat(archives("cli")).isEmpty();
  }

  @Test
  void the_server_has_an_archive_of_its_own_made_from_a_start_of_it(@TempDir Path data)
      throws Exception {
    for (Path old : archives("server")) {
      Files.delete(old);
    }

    Result first = serverStart(data, "");

    assertThat(first.code()).as(first.out() + first.err()).isZero();
    assertThat(first.out()).contains("keel server ready at http://127.0.0.1:");
    assertThat(first.err()).isEmpty();
    assertThat(archives("server")).hasSize(1);

    Result shared = serverStart(data, " -Xshare:on");
    assertThat(shared.code()).as(shared.out() + shared.err()).isZero();
    assertThat(shared.out()).contains("keel server ready at");
  }

  @Test
  void run_goes_to_a_daemon_that_the_next_run_reuses(@TempDir Path dir) throws Exception {
    Map<String, String> env =
        Map.of("KEEL_DAEMON_DIR", dir.resolve("daemons").toString(), "KEEL_DAEMON_IDLE", "60");
    String pipeline = KeelProcess.conformance("hello_world.yaml").toString();
    try {
      Result first = keel(env, "run", pipeline, "--data-dir", dir.resolve("data").toString());
      assertThat(first.code()).as(first.out() + first.err()).isZero();
      assertThat(first.out()).contains("SUCCEEDED");
      assertThat(first.err()).isEmpty();
      Result status = keel(env, "daemon", "status");
      assertThat(status.out()).contains("idle").contains(KeelProcess.REPO.toRealPath().toString());
      String daemon = status.out().lines().skip(1).findFirst().orElseThrow().split("\\s+")[0];

      Result second = keel(env, "run", pipeline, "--data-dir", dir.resolve("data").toString());
      assertThat(second.code()).as(second.out() + second.err()).isZero();
      assertThat(keel(env, "daemon", "status").out().lines().skip(1))
          .as("the second run went to the same daemon")
          .singleElement()
          .asString()
          .startsWith(daemon + " ");

      Result off =
          keel(
              Map.of("KEEL_DAEMON_DIR", dir.resolve("none").toString(), "KEEL_DAEMON", "off"),
              "run",
              pipeline,
              "--data-dir",
              dir.resolve("data").toString());
      assertThat(off.code()).as(off.out() + off.err()).isZero();
      assertThat(dir.resolve("none")).doesNotExist();
    } finally {
      keel(env, "daemon", "stop");
    }
  }

  /** {@code ./keel server} on a free port, stopping once it is ready. */
  private static Result serverStart(Path data, String moreFlags) throws Exception {
    String flags =
        "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -D" + ServerCommand.EXIT_WHEN_READY + "=true";
    return keel(
        Map.of("KEEL_JAVA_OPTS", flags + moreFlags),
        "server",
        "--port",
        "0",
        "--data-dir",
        data.toString());
  }

  private static Result keel(Map<String, String> env, String... args) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(Stream.concat(Stream.of(SCRIPT.toString()), Stream.of(args)).toList())
            .directory(KeelProcess.REPO.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    pb.environment().putAll(env);
    return KeelProcess.complete(pb, 120, "./keel " + String.join(" ", args));
  }

  /** The archives of one kind ({@code cli} or {@code server}) in the jar's folder. */
  private static List<Path> archives(String kind) throws IOException {
    try (Stream<Path> files = Files.list(TARGET)) {
      return files
          .filter(p -> p.getFileName().toString().matches("keel-" + kind + "-.*\\.jsa"))
          .toList();
    }
  }

  private static FileTime modified(Path p) {
    try {
      return Files.getLastModifiedTime(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
