package dev.keel.runtime;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One workload of the {@link LocalRuntime}: a process, its log and its timer.
 *
 * <p>Log: Keel writes its first {@code [keel]} lines and closes the file; the process then appends
 * its stdout and stderr straight to it (no pipe, so nothing of Keel's copies the output). The cap
 * on the process's output is kept by the runtime's log watchdog, which every {@value
 * LocalRuntime#LOG_CHECK_MILLIS} ms cuts a log that grew past it back to the cap and adds the
 * truncation line once; as the process writes with {@code O_APPEND}, what it writes after a cut
 * lands past that line and is cut at the next check. So while the process runs its log may hold up
 * to about one check period of output beyond the cap; once it ends a last check makes the log
 * exact: at most the cap of output, then, if it wrote more, one {@code [keel] log truncated} line.
 * Later {@code [keel]} lines are appended on a line of their own. What a child left behind writes
 * after the process ended is no longer checked: the workload ends when its process does.
 *
 * <p>Locking: the workload's monitor guards the process, the log and the status changes; the
 * runtime's monitor guards admission. A thread may take the runtime's monitor while holding a
 * workload's, never the other way round, and the completion future is completed with no monitor
 * held, so callbacks may launch or cancel anything.
 *
 * <p>Threads: admission hands {@link #run()} to the runtime's shared cached pool; that thread
 * starts the process, waits for it, and, when its end lets queued workloads in, goes on with the
 * first of them itself. Timeouts and the log watchdog run on the runtime's one timer thread. So
 * there is no thread (and no pool) per workload beyond the pooled one that waits and the JDK's own
 * reaper.
 */
final class LocalWorkload implements Workload {
  private static final AtomicLong QUEUED_IDS = new AtomicLong();
  private static final File DEV_NULL = new File("/dev/null");

  private final LocalRuntime runtime;
  private final WorkloadSpec spec;
  private final ImageMapping mapping;
  private final CompletableFuture<WorkloadStatus> done = new CompletableFuture<>();

  private volatile WorkloadStatus status;
  private volatile String id;
  private volatile String admissionNote;

  /** Its namespace's quota when launched; {@code null} when the runtime has none. */
  NamespaceQuota quota;

  // guarded by this
  private Process process;

  /** The log while Keel writes its first lines, before the process starts; else {@code null}. */
  private OutputStream log;

  /** How many bytes Keel wrote to the log before the process started. */
  private long logStart;

  /** Whether the log was created and the workload has not ended: Keel may append lines to it. */
  private boolean logOpen;

  /** Whether the watchdog keeps the log under its cap: from the start until the last check. */
  private boolean capping;

  /** The line that follows the cap once the output passed it; {@code null} before. */
  private byte[] truncationLine;

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
    runtime.watchLog(this);
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
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(spec.logFile().toFile()));
    pb.redirectInput(DEV_NULL);
    closeLog(); // the process appends after Keel's lines; Keel's later lines are appended too
    Process p;
    try {
      p = pb.start();
    } catch (IOException | RuntimeException e) {
      if (!Files.exists(spec.workingDir().resolve(resolved))) {
        return endWithLine("ProgramNotFound", notFound(program));
      }
      return endWithLine("LaunchFailed", "cannot start '" + program + "': " + e.getMessage());
    }
    // taken now rather than asked of the OS (Process.info reads /proc): the process started
    // milliseconds ago, and killStale's tolerance covers that and how the JDK rounds the OS's time
    Instant started = runtime.clock.instant();
    process = p;
    capping = true;
    id = "local:" + p.pid();
    status =
        new WorkloadStatus(Phase.RUNNING, null, "Started", null, started, null, p.pid(), started);
    return null;
  }

  private void openLog() throws IOException {
    ensureFolder(spec.workingDir());
    for (Path dir : spec.directories()) {
      ensureFolder(dir);
    }
    Path parent = spec.logFile().getParent();
    if (parent != null && !parent.equals(spec.workingDir())) {
      ensureFolder(parent);
    }
    log =
        Files.newOutputStream(
            spec.logFile(),
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE);
    logOpen = true;
    keelLine("image " + imageName() + " → " + mapping.description());
    String note = admissionNote;
    if (note != null) {
      keelLine(note);
    }
  }

  /**
   * Makes a folder unless it exists, with its parents: one system call when only the folder itself
   * is missing, as a new task's folder is.
   */
  private static void ensureFolder(Path dir) throws IOException {
    try {
      Files.createDirectory(dir);
    } catch (FileAlreadyExistsException e) {
      if (!Files.isDirectory(dir)) {
        throw e;
      }
    } catch (NoSuchFileException e) {
      Files.createDirectories(dir);
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

  /**
   * Keeps the process's output in the log under its cap: past it, cuts the log back to the cap and
   * adds the truncation line once; later output, which lands past that line, is cut again. Runs on
   * the watchdog's ticks and once more after the process ended, when it makes the log exact.
   */
  synchronized void capLog() {
    if (capping) {
      cut();
    }
  }

  /** One cut of {@link #capLog()}; lock held. */
  private void cut() {
    Path file = spec.logFile();
    long cap = capEnd();
    long keep = truncationLine == null ? cap : cap + truncationLine.length;
    try {
      if (Files.size(file) <= keep) {
        return; // the common case, one stat: no need to open the file
      }
      try (FileChannel ch =
          FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        if (truncationLine == null) {
          ch.truncate(cap);
          String line = "[keel] log truncated at " + spec.logLimitBytes() + " bytes\n";
          truncationLine =
              ((endsWithNewline(ch, cap) ? "" : "\n") + line).getBytes(StandardCharsets.UTF_8);
          // written at the cap, not appended: whatever the process appended since the truncate
          // lies at the cap too and is overwritten here or cut just below
          ByteBuffer b = ByteBuffer.wrap(truncationLine);
          while (b.hasRemaining()) {
            ch.write(b, cap + b.position());
          }
          keep = cap + truncationLine.length;
        }
        ch.truncate(keep);
      }
    } catch (IOException ignored) {
      // a log we cannot cut (deleted, unwritable) is no reason to fail the workload
    }
  }

  /** Where the process's output must end in the file: after Keel's first lines and the cap. */
  private long capEnd() {
    long limit = spec.logLimitBytes();
    return limit > Long.MAX_VALUE - logStart ? Long.MAX_VALUE : logStart + limit;
  }

  /** Whether the file's first {@code size} bytes end with a newline, or are none. */
  private static boolean endsWithNewline(FileChannel ch, long size) throws IOException {
    if (size <= 0) {
      return true;
    }
    ByteBuffer last = ByteBuffer.allocate(1);
    return ch.read(last, size - 1) != 1 || last.get(0) == '\n';
  }

  /**
   * Writes a {@code [keel]} line, on a line of its own; the caller holds the lock. Before the
   * process starts the line goes to Keel's own stream; after, it is appended to the file, starting
   * with a newline when the file's last byte (the process's output) is not one.
   */
  private void keelLine(String line) {
    if (!logOpen) {
      return;
    }
    try {
      byte[] text = ("[keel] " + line + "\n").getBytes(StandardCharsets.UTF_8);
      if (log != null) {
        log.write(text); // only Keel's lines so far, each ending with a newline
        logStart += text.length;
        return;
      }
      Path file = spec.logFile();
      boolean atLineStart;
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
        atLineStart = endsWithNewline(ch, ch.size());
      }
      if (!atLineStart) {
        text = ("\n[keel] " + line + "\n").getBytes(StandardCharsets.UTF_8);
      }
      // appended in one write, not at an offset: a child left behind may still append to it too
      try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.APPEND)) {
        out.write(text);
      }
    } catch (IOException ignored) {
      // a log we cannot write is no reason to fail the workload
    }
  }

  /** Closes Keel's stream to the log, if open; its later lines are appended. */
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
    runtime.unwatchLog(this);
    int code = p.exitValue();
    WorkloadStatus ended;
    synchronized (this) {
      if (capping) {
        cut(); // the process is gone: this last cut makes the log exact
        capping = false;
      }
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
    closeLog();
    logOpen = false;
    capping = false;
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
