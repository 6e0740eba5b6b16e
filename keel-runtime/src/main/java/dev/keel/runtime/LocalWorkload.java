package dev.keel.runtime;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One workload of the {@link LocalRuntime}: a process, its log pump and its timer.
 *
 * <p>Locking: the workload's monitor guards the process, the log and the status changes; the
 * runtime's monitor guards admission. A thread may take the runtime's monitor while holding a
 * workload's, never the other way round, and the completion future is completed with no monitor
 * held, so callbacks may launch or cancel anything.
 *
 * <p>Threads: admission hands {@link #run()} to the runtime's shared cached pool, which starts the
 * process and then waits for it; a second pooled thread pumps its output into the log. Both threads
 * return to the pool, so there is no thread (and no pool) per workload beyond the JDK's own reaper.
 */
final class LocalWorkload implements Workload {
  private static final AtomicLong QUEUED_IDS = new AtomicLong();
  private static final File DEV_NULL = new File("/dev/null");

  /** How long a finished process's output may take to drain before the workload ends anyway. */
  private static final long DRAIN_MILLIS = 2000;

  private final LocalRuntime runtime;
  private final WorkloadSpec spec;
  private final ImageMapping mapping;
  private final CompletableFuture<WorkloadStatus> done = new CompletableFuture<>();
  private final CountDownLatch pumped = new CountDownLatch(1);

  private volatile WorkloadStatus status;
  private volatile String id;
  private volatile String admissionNote;

  /** Its namespace's quota when launched; {@code null} when the runtime has none. */
  NamespaceQuota quota;

  // guarded by this
  private Process process;
  private OutputStream log;
  private long logged;
  private boolean truncated;
  private boolean atLineStart = true;
  private boolean pumpDone;
  private String endReason;
  private String endMessage;
  private Future<?> timer;

  LocalWorkload(LocalRuntime runtime, WorkloadSpec spec, ImageMapping mapping) {
    this.runtime = runtime;
    this.spec = spec;
    this.mapping = mapping;
    this.id = "local:queued:" + QUEUED_IDS.incrementAndGet();
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

  @Override
  public String toString() {
    return "Workload[" + spec.name() + " " + id + " " + status.phase() + "]";
  }

  /**
   * Says why it waits. Takes no lock: the runtime calls it holding its own monitor, and only while
   * this workload is in its queue, so nothing can start it meanwhile.
   */
  void queued(String why) {
    WorkloadStatus s = status;
    if (s.phase() == Phase.PENDING) {
      status = new WorkloadStatus(Phase.PENDING, null, "Queued", why, null, null, null, null);
    }
  }

  /** A line for the log once it opens; lock-free, as admission calls it holding its monitor. */
  void noteOnStart(String line) {
    admissionNote = line;
  }

  /**
   * Starts the process and waits for it; runs on a pooled thread once admission let it in. When it
   * ends and frees room for queued workloads, this thread goes on with the first of them.
   */
  void run() {
    LocalWorkload next = this;
    while (next != null) {
      next = next.runOnce();
    }
  }

  /** Runs this workload's process to its end; returns the workload to run next on this thread. */
  private LocalWorkload runOnce() {
    Process p = start();
    if (p == null) {
      return null;
    }
    try {
      runtime.pool.execute(() -> pump(p.getInputStream()));
    } catch (RejectedExecutionException e) {
      // the runtime closed while this one started: it cancels it, and nobody reads the output
      pumped.countDown();
    }
    if (spec.timeout() != null) {
      scheduleTimeout();
    }
    boolean interrupted = false;
    while (true) {
      try {
        p.waitFor();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    LocalWorkload next = exited(p);
    if (interrupted) {
      Thread.currentThread().interrupt();
      if (next != null) {
        runtime.execute(next); // an interrupted thread should not take on more work
        next = null;
      }
    }
    return next;
  }

  /** Prepares folders and the log and starts the process; {@code null} when it did not start. */
  private Process start() {
    WorkloadStatus ended;
    synchronized (this) {
      if (status.phase().isTerminal()) {
        return null; // canceled between admission and now; cancel gave its share back
      }
      ended = spawn();
      if (ended == null) {
        return process;
      }
    }
    completed(ended);
    return null;
  }

  /** Starts the process; else ends the workload and returns its terminal status. Lock held. */
  private WorkloadStatus spawn() {
    try {
      openLog();
    } catch (IOException | RuntimeException e) {
      return endWithLine("LaunchFailed", "cannot prepare the workload: " + e);
    }
    List<String> argv = spec.argv();
    if (argv.isEmpty() || argv.get(0).isEmpty()) {
      return endWithLine("LaunchFailed", "workload '" + spec.name() + "' has no command");
    }
    String program = argv.get(0);
    String resolved = resolve(program);
    if (resolved == null) {
      return endWithLine("ProgramNotFound", notFound(program));
    }
    List<String> command = new ArrayList<>(argv);
    command.set(0, resolved);
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.directory(spec.workingDir().toFile());
    Map<String, String> env = pb.environment();
    env.putAll(mapping.env());
    env.putAll(spec.env());
    pb.redirectErrorStream(true);
    pb.redirectInput(DEV_NULL);
    Process p;
    try {
      p = pb.start();
    } catch (IOException | RuntimeException e) {
      if (!Files.exists(spec.workingDir().resolve(resolved))) {
        return endWithLine("ProgramNotFound", notFound(program));
      }
      return endWithLine("LaunchFailed", "cannot start '" + program + "': " + e.getMessage());
    }
    process = p;
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
            p.info().startInstant().orElse(null));
    return null;
  }

  private void openLog() throws IOException {
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
    keelLine("image " + imageName() + " → " + mapping.description());
    String note = admissionNote;
    if (note != null) {
      keelLine(note);
    }
  }

  private String imageName() {
    return spec.image() == null || spec.image().isBlank() ? "(none)" : spec.image();
  }

  private String notFound(String program) {
    String where =
        mapping.programs().isEmpty() ? "host PATH" : "image map " + mapping.programs().keySet();
    if (!mapping.programs().isEmpty() && !program.contains("/")) {
      where += ", then host PATH";
    }
    return "program '"
        + program
        + "' not found (image '"
        + (spec.image() == null ? "" : spec.image().strip())
        + "' → "
        + where
        + ")";
  }

  /** argv[0] as a path: as given when it has a slash, else from the image map, else on PATH. */
  private String resolve(String program) {
    if (program.contains("/")) {
      return program;
    }
    String mapped = mapping.programs().get(program);
    if (mapped != null) {
      return mapped;
    }
    String path = spec.env().get("PATH");
    if (path == null) {
      path = mapping.env().get("PATH");
    }
    if (path == null) {
      path = System.getenv("PATH");
    }
    return Programs.onPath(program, path);
  }

  private void scheduleTimeout() {
    Duration t = spec.timeout();
    Runnable expire = () -> stop("Timeout", "ran longer than its timeout of " + human(t));
    synchronized (this) {
      if (status.phase().isTerminal()) {
        return;
      }
      try {
        timer = runtime.timers.schedule(expire, Math.max(0, t.toMillis()), TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        // the runtime is closing and cancels this workload itself
      }
    }
  }

  static String human(Duration d) {
    if (d.toMillis() % 1000 != 0 || d.isZero()) {
      return d.toMillis() + " ms";
    }
    long s = d.toSeconds();
    return s % 60 == 0 && s >= 60 ? (s / 60) + " min" : s + " s";
  }

  private void pump(InputStream in) {
    byte[] buf = new byte[8192];
    try (in) {
      int n;
      while ((n = in.read(buf)) >= 0) {
        write(buf, n);
      }
    } catch (IOException ignored) {
      // the pipe closed under us; what came through is in the log
    } finally {
      synchronized (this) {
        pumpDone = true;
        if (status.phase().isTerminal()) {
          closeLog(); // the process ended before its output did (a child kept the pipe)
        }
      }
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
      atLineStart = buf[take - 1] == '\n';
    }
    if (n > room && !truncated) {
      truncated = true;
      keelLine("log truncated at " + spec.logLimitBytes() + " bytes");
    }
  }

  /** Writes a {@code [keel]} line, on a line of its own; the caller holds the lock. */
  private void keelLine(String line) {
    if (log == null) {
      return;
    }
    try {
      String text = (atLineStart ? "" : "\n") + "[keel] " + line + "\n";
      log.write(text.getBytes(StandardCharsets.UTF_8));
      atLineStart = true;
    } catch (IOException ignored) {
      // a log we cannot write is no reason to fail the workload
    }
  }

  private void closeLog() {
    if (log != null) {
      try {
        log.close();
      } catch (IOException ignored) {
        // nothing more to write
      }
      log = null;
    }
  }

  private LocalWorkload exited(Process p) {
    try {
      if (!pumped.await(DRAIN_MILLIS, TimeUnit.MILLISECONDS)) {
        synchronized (this) {
          keelLine("the process ended but a child still holds its output open; logging on");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    int code = p.exitValue();
    WorkloadStatus ended;
    synchronized (this) {
      if (endReason != null) {
        keelLine(endMessage);
        ended = end(Phase.FAILED, code, endReason, endMessage);
      } else if (code == 0) {
        ended = end(Phase.SUCCEEDED, 0, "Completed", null);
      } else {
        ended = end(Phase.FAILED, code, "Error", "exit code " + code);
      }
    }
    if (ended == null) {
      return null;
    }
    List<LocalWorkload> toStart = runtime.release(this);
    done.complete(ended);
    for (int i = 1; i < toStart.size(); i++) {
      runtime.execute(toStart.get(i));
    }
    return toStart.isEmpty() ? null : toStart.get(0);
  }

  /** Logs {@code message} and ends the workload FAILED with {@code reason}; lock held. */
  private WorkloadStatus endWithLine(String reason, String message) {
    keelLine(message);
    return end(Phase.FAILED, null, reason, message);
  }

  /**
   * Moves to a terminal status; the caller holds the lock and passes the result to {@link
   * #completed} once it has let go. {@code null} when the workload had already ended.
   */
  private WorkloadStatus end(Phase phase, Integer exitCode, String reason, String message) {
    WorkloadStatus s = status;
    if (s.phase().isTerminal()) {
      return null;
    }
    status =
        new WorkloadStatus(
            phase,
            exitCode,
            reason,
            message,
            s.startedAt(),
            runtime.clock.instant(),
            s.pid(),
            s.pidStartedAt());
    if (pumpDone || process == null) {
      closeLog();
    }
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    return status;
  }

  /** After {@link #end}, with no lock held: frees the share and tells the waiters. */
  private void completed(WorkloadStatus ended) {
    if (ended != null) {
      runtime.released(this);
      done.complete(ended);
    }
  }

  /** Fails a workload that never started. */
  void fail(String reason, String message) {
    WorkloadStatus ended;
    synchronized (this) {
      ended = end(Phase.FAILED, null, reason, message);
    }
    completed(ended);
  }

  @Override
  public void cancel() {
    stop("Canceled", "canceled");
  }

  private void stop(String reason, String message) {
    Process p;
    WorkloadStatus ended;
    synchronized (this) {
      if (status.phase().isTerminal()) {
        return;
      }
      p = process;
      if (p == null) {
        // queued, or admitted and not started yet: it never starts
        runtime.dequeue(this);
        ended = end(Phase.FAILED, null, reason, message);
      } else {
        ended = null;
        if (endReason == null) {
          endReason = reason;
          endMessage = message;
        }
      }
    }
    if (p == null) {
      completed(ended);
    } else {
      LocalRuntime.killTree(p.toHandle());
    }
  }
}
