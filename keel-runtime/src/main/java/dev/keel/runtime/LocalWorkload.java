package dev.keel.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** One workload of the {@link LocalRuntime}: a process, its log pump and its timers. */
final class LocalWorkload implements Workload {
  private final LocalRuntime runtime;
  private final WorkloadSpec spec;
  private final ImageMapping mapping;
  private final CompletableFuture<WorkloadStatus> done = new CompletableFuture<>();
  private final CountDownLatch pumped = new CountDownLatch(1);
  private final List<String> notes = new ArrayList<>();

  private volatile WorkloadStatus status;
  private volatile String id;
  private volatile Process process;
  private OutputStream log;
  private long logged;
  private boolean truncated;
  private String endReason;
  private String endMessage;

  LocalWorkload(LocalRuntime runtime, WorkloadSpec spec, ImageMapping mapping) {
    this.runtime = runtime;
    this.spec = spec;
    this.mapping = mapping;
    this.id = "local:queued:" + System.identityHashCode(this);
    this.status = new WorkloadStatus(Phase.PENDING, null, "Queued", null, null, null, null, null);
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public WorkloadSpec spec() {
    return spec;
  }

  @Override
  public WorkloadStatus status() {
    return status;
  }

  @Override
  public CompletableFuture<WorkloadStatus> completion() {
    return done;
  }

  /** Says why it waits; lock-free, as the runtime calls it while holding its own lock. */
  void queued(String why) {
    if (status.phase() == Phase.PENDING && process == null) {
      status = new WorkloadStatus(Phase.PENDING, null, "Queued", why, null, null, null, null);
    }
  }

  synchronized void note(String line) {
    notes.add(line);
  }

  /** Starts the process; called once admission let it in. */
  void start() {
    Process p;
    synchronized (this) {
      if (status.phase().isTerminal()) {
        runtime.released(this);
        return;
      }
      try {
        if (!Files.isDirectory(spec.workingDir())) {
          Files.createDirectories(spec.workingDir());
        }
        for (Path dir : spec.directories()) {
          if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
          }
        }
        Path parent = spec.logFile().toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
          Files.createDirectories(parent);
        }
        log =
            Files.newOutputStream(
                spec.logFile(),
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        keelLine(
            "image "
                + (spec.image() == null || spec.image().isBlank() ? "(none)" : spec.image())
                + " → "
                + mapping.description());
        for (String n : notes) {
          keelLine(n);
        }
      } catch (IOException e) {
        finish(
            Phase.FAILED, null, "LaunchFailed", "cannot prepare the workload: " + e.getMessage());
        return;
      }
      List<String> argv = spec.argv();
      if (argv.isEmpty()) {
        keelLine("no command to run");
        finish(Phase.FAILED, null, "LaunchFailed", "the workload has no command");
        return;
      }
      String program = argv.get(0);
      String resolved = resolve(program);
      if (resolved == null) {
        String where = mapping.programs().isEmpty() ? "host PATH" : "image map and host PATH";
        String msg =
            "program '"
                + program
                + "' not found (image '"
                + (spec.image() == null ? "" : spec.image())
                + "' → "
                + where
                + ")";
        keelLine(msg);
        finish(Phase.FAILED, null, "ProgramNotFound", msg);
        return;
      }
      List<String> command = new ArrayList<>(argv);
      command.set(0, resolved);
      ProcessBuilder pb = new ProcessBuilder(command);
      pb.directory(spec.workingDir().toFile());
      Map<String, String> env = pb.environment();
      env.putAll(mapping.env());
      env.putAll(spec.env());
      pb.redirectErrorStream(true);
      pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
      try {
        p = pb.start();
      } catch (IOException e) {
        keelLine("cannot start " + program + ": " + e.getMessage());
        finish(
            Phase.FAILED,
            null,
            "LaunchFailed",
            "cannot start '" + program + "': " + e.getMessage());
        return;
      }
      process = p;
      Instant pidStart = p.info().startInstant().orElse(null);
      id = "local:" + p.pid();
      status =
          new WorkloadStatus(
              Phase.RUNNING,
              null,
              "Started",
              null,
              runtime.clock.instant(),
              null,
              p.pid(),
              pidStart);
    }
    runtime.pumps.execute(() -> pump(p.getInputStream()));
    if (spec.timeout() != null) {
      runtime.timers.schedule(
          () -> stop("Timeout", "ran longer than " + spec.timeout().toSeconds() + " s"),
          spec.timeout().toMillis(),
          TimeUnit.MILLISECONDS);
    }
    // waitFor on a pooled thread: Process.onExit() would start a thread per process on a
    // machine with fewer than three cores (CompletableFuture's default executor there)
    runtime.pumps.execute(
        () -> {
          try {
            p.waitFor();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          exited();
        });
  }

  private String resolve(String program) {
    if (program.contains("/")) {
      return program;
    }
    String mapped = mapping.programs().get(program);
    if (mapped != null) {
      return mapped;
    }
    String path =
        spec.env().getOrDefault("PATH", mapping.env().getOrDefault("PATH", System.getenv("PATH")));
    return Programs.onPath(program, path);
  }

  private void pump(InputStream in) {
    byte[] buf = new byte[8192];
    try (in) {
      int n;
      while ((n = in.read(buf)) >= 0) {
        write(buf, n);
      }
    } catch (IOException ignored) {
      // the process went away; what it wrote is in the log
    } finally {
      pumped.countDown();
    }
  }

  private synchronized void write(byte[] buf, int n) throws IOException {
    if (log == null) {
      return;
    }
    long room = spec.logLimitBytes() - logged;
    if (room > 0) {
      int take = (int) Math.min(room, n);
      log.write(buf, 0, take);
      logged += take;
    }
    if (logged >= spec.logLimitBytes() && n > room && !truncated) {
      truncated = true;
      keelLine("log truncated at " + spec.logLimitBytes() + " bytes");
    }
  }

  private void keelLine(String line) {
    try {
      if (log != null) {
        log.write(("[keel] " + line + "\n").getBytes(StandardCharsets.UTF_8));
        log.flush();
      }
    } catch (IOException ignored) {
      // a log we cannot write is no reason to fail the workload
    }
  }

  private void exited() {
    try {
      pumped.await(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    int code = process.exitValue();
    synchronized (this) {
      if (endReason != null) {
        keelLine(endMessage);
        finish(Phase.FAILED, code, endReason, endMessage);
      } else if (code == 0) {
        finish(Phase.SUCCEEDED, 0, "Completed", null);
      } else {
        finish(Phase.FAILED, code, "Error", "exit code " + code);
      }
    }
  }

  /** Ends the workload; the caller holds the lock. */
  private void finish(Phase phase, Integer exitCode, String reason, String message) {
    if (status.phase().isTerminal()) {
      return;
    }
    status =
        new WorkloadStatus(
            phase,
            exitCode,
            reason,
            message,
            status.startedAt(),
            runtime.clock.instant(),
            status.pid(),
            status.pidStartedAt());
    if (log != null && pumped.getCount() == 0) {
      try {
        log.close();
      } catch (IOException ignored) {
        // nothing more to write
      }
    }
    runtime.released(this);
    done.complete(status);
  }

  /** Fails a workload that never started. */
  synchronized void fail(String reason, String message) {
    finish(Phase.FAILED, null, reason, message);
  }

  @Override
  public void cancel() {
    stop("Canceled", "canceled");
  }

  private void stop(String reason, String message) {
    Process p;
    synchronized (this) {
      if (status.phase().isTerminal()) {
        return;
      }
      if (process == null) {
        runtime.dequeue(this);
        finish(Phase.FAILED, null, reason, message);
        return;
      }
      if (endReason == null) {
        endReason = reason;
        endMessage = message;
      }
      p = process;
    }
    LocalRuntime.killTree(p.toHandle());
  }
}
