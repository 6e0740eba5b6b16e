package dev.keel.runtime;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Runs workloads as processes on this machine.
 *
 * <p>Each workload's image is looked up in the {@link ImageMap}, argv[0] is resolved (a path as
 * given, else the image's programs, else PATH) and the process starts with the argv as a list (no
 * shell), the inherited environment plus the image's and the spec's variables, its working
 * directory, stdin from {@code /dev/null}, and stdout and stderr appended straight to the log file
 * (no pipe), interleaved as they are written. Exit code 0 ends it {@link Phase#SUCCEEDED}; anything
 * else {@link Phase#FAILED}. Cancel and timeout kill the whole process tree.
 *
 * <p>Log cap: the log holds at most the spec's {@link WorkloadSpec#logLimitBytes()} of the
 * process's output, then, if it wrote more, one {@code [keel] log truncated at N bytes} line. One
 * watchdog per runtime checks the logs of running workloads every {@value #LOG_CHECK_MILLIS} ms and
 * cuts them back, so while a workload runs its log may overshoot the cap by about what it writes in
 * one such period; once it ends its log is exact.
 *
 * <p>Admission: a workload starts when fewer than {@code parallelism} run and its CPU and memory
 * requests fit beside the running ones on this machine; otherwise it waits, first in first out. A
 * request larger than the machine runs alone rather than never, and its log says so. With namespace
 * quotas ({@link Builder#quotas}), a workload also waits while its namespace's running workloads
 * use up the quota; workloads of other namespaces pass it by.
 *
 * <p>Thread-safe: launch, cancel and completion may be used from any thread. Work runs on one
 * shared cached thread pool and one timer thread per runtime; completion callbacks run on those
 * threads, with no lock held.
 */
public final class LocalRuntime implements WorkloadRuntime {
  /**
   * How often the log watchdog checks running workloads' logs against their caps: each check is one
   * {@code stat} per running workload, and a log may overshoot its cap by what its process writes
   * in this time.
   */
  static final long LOG_CHECK_MILLIS = 100;

  private final int parallelism;
  private final double machineCpu;
  private final long machineMemory;
  private final ImageMap imageMap;
  final Clock clock;

  private final Deque<LocalWorkload> queue = new ArrayDeque<>();
  private final Set<LocalWorkload> running = new LinkedHashSet<>();
  private double cpuInUse;
  private long memoryInUse;
  private boolean closed;

  /** Each namespace's quota, asked once per launch; {@code null} when there are no quotas. */
  private final Function<String, NamespaceQuota> quotas;

  /** What each namespace's running workloads use, and how many of its workloads wait. */
  private final Map<String, Usage> usage = new HashMap<>();

  private static final class Usage {
    double cpu;
    long memory;
    int running;
    int queued;
  }

  /**
   * Starts processes and waits for them: one shared cached pool, so threads are reused from one
   * workload to the next and launches run in parallel up to the admission bound.
   */
  final ExecutorService pool = Executors.newCachedThreadPool(daemon("keel-workload"));

  /** Timeouts and the log watchdog; canceled timers leave the queue at once. */
  final ScheduledThreadPoolExecutor timers;

  /**
   * Workloads whose processes run, for the log watchdog. A concurrent set rather than {@link
   * #running}: the watchdog takes each workload's monitor, which must not be taken while holding
   * the runtime's.
   */
  private final Set<LocalWorkload> logsToCap = ConcurrentHashMap.newKeySet();

  /** Guards {@link #logWatchdog}; held for nothing else, so any thread may take it. */
  private final Object watchdogLock = new Object();

  /** The periodic log check while workloads run; {@code null} while none do. */
  private ScheduledFuture<?> logWatchdog;

  private LocalRuntime(Builder b) {
    this.parallelism = b.parallelism;
    this.machineCpu = b.machineCpu;
    this.machineMemory = b.machineMemory;
    this.imageMap = b.imageMap;
    this.clock = b.clock;
    this.quotas = b.quotas;
    this.timers = new ScheduledThreadPoolExecutor(1, daemon("keel-workload-timer"));
    timers.setRemoveOnCancelPolicy(true);
  }

  /** A builder with this machine's cores and memory as defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * {@inheritDoc}
   *
   * <p>Starts the workload on a pooled thread when admission lets it in at once, else queues it
   * (status {@code PENDING}, reason {@code Queued}, a message saying what it waits for). A spec
   * this runtime cannot run (a missing program, an unwritable log) ends {@code FAILED} instead of
   * throwing; after {@link #close()} every launch ends {@code FAILED} with reason {@code Canceled}.
   *
   * @throws NullPointerException when {@code spec} is null
   */
  @Override
  public Workload launch(WorkloadSpec spec) {
    Objects.requireNonNull(spec, "spec");
    LocalWorkload w = new LocalWorkload(this, spec, imageMap.resolve(spec.image()));
    if (quotas != null) {
      NamespaceQuota q = quotas.apply(spec.namespace());
      w.quota = q == null ? NamespaceQuota.NONE : q;
    }
    List<LocalWorkload> start = List.of();
    boolean refused = false;
    synchronized (this) {
      if (closed) {
        refused = true;
      } else if (queue.isEmpty() && fits(w) && quotaFits(w)) {
        admit(w);
        start = List.of(w);
      } else {
        queue.add(w);
        usage(w).queued++;
        start = quotas == null ? List.of() : admitQueued();
        if (!start.contains(w)) {
          w.queued(waitReason(w));
        }
      }
    }
    if (refused) {
      w.fail("Canceled", "the runtime is closed");
    }
    for (LocalWorkload next : start) {
      execute(next);
    }
    return w;
  }

  void execute(LocalWorkload w) {
    try {
      pool.execute(w::run);
    } catch (RejectedExecutionException e) {
      w.fail("Canceled", "the runtime is closed");
    }
  }

  /**
   * Has the log watchdog keep {@code w}'s log under its cap until {@link #unwatchLog}, starting the
   * watchdog if it is not running.
   */
  void watchLog(LocalWorkload w) {
    logsToCap.add(w);
    synchronized (watchdogLock) {
      if (logWatchdog == null) {
        try {
          logWatchdog =
              timers.scheduleWithFixedDelay(
                  this::capLogs, LOG_CHECK_MILLIS, LOG_CHECK_MILLIS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
          // the runtime is closing and cancels the workload; its end still makes the log exact
        }
      }
    }
  }

  /** Stops watching {@code w}'s log; its process ended and the workload cuts it one last time. */
  void unwatchLog(LocalWorkload w) {
    logsToCap.remove(w);
  }

  /**
   * The watchdog's tick: cuts each running workload's log back to its cap. With none running it
   * stops itself, so an idle runtime does not wake; the next {@link #watchLog} starts it again, and
   * a busy one keeps the same periodic task rather than scheduling one per workload.
   */
  private void capLogs() {
    for (LocalWorkload w : logsToCap) {
      try {
        w.capLog();
      } catch (RuntimeException e) {
        // one log's trouble must not end the periodic task, which would leave every log uncapped
      }
    }
    if (logsToCap.isEmpty()) {
      synchronized (watchdogLock) {
        // checked again under the lock: a watchLog that added after the check above, and saw the
        // watchdog still set, relies on it running on
        if (logsToCap.isEmpty() && logWatchdog != null) {
          logWatchdog.cancel(false);
          logWatchdog = null;
        }
      }
    }
  }

  /** How many workloads run now (admitted and not yet ended). */
  public synchronized int runningCount() {
    return running.size();
  }

  /** How many workloads wait for admission. */
  public synchronized int queuedCount() {
    return queue.size();
  }

  private boolean fits(LocalWorkload w) {
    if (running.isEmpty()) {
      return true;
    }
    ResourceRequest r = w.spec().resources();
    return running.size() < parallelism
        && cpuInUse + r.cpu() <= machineCpu + 1e-9
        && memoryInUse + r.memoryBytes() <= machineMemory;
  }

  /** Whether {@code w} fits in what its namespace's quota leaves. */
  private boolean quotaFits(LocalWorkload w) {
    NamespaceQuota q = w.quota;
    if (q == null || q.isNone()) {
      return true;
    }
    Usage u = usage.get(w.spec().namespace());
    if (u == null) {
      return true;
    }
    ResourceRequest r = w.spec().resources();
    return (q.workloads() == null || u.running < q.workloads())
        && (q.cpu() == null || u.cpu + r.cpu() <= q.cpu() + 1e-9)
        && (q.memoryBytes() == null || u.memory + r.memoryBytes() <= q.memoryBytes());
  }

  private Usage usage(LocalWorkload w) {
    return usage.computeIfAbsent(w.spec().namespace(), k -> new Usage());
  }

  private String quotaReason(LocalWorkload w) {
    NamespaceQuota q = w.quota;
    Usage u = usage.get(w.spec().namespace());
    ResourceRequest r = w.spec().resources();
    String ns = "namespace " + w.spec().namespace();
    if (q.workloads() != null && u.running >= q.workloads()) {
      return "waiting: " + ns + " has " + u.running + "/" + q.workloads() + " running (quota pods)";
    }
    if (q.cpu() != null && u.cpu + r.cpu() > q.cpu() + 1e-9) {
      return String.format(
          "waiting for %.2f cpu of %s's quota (%.2f of %.2f in use)", r.cpu(), ns, u.cpu, q.cpu());
    }
    return "waiting for "
        + (r.memoryBytes() >> 20)
        + " MiB of "
        + ns
        + "'s memory quota ("
        + (u.memory >> 20)
        + " of "
        + (q.memoryBytes() >> 20)
        + " MiB in use)";
  }

  private String waitReason(LocalWorkload w) {
    if (!quotaFits(w)) {
      return quotaReason(w);
    }
    ResourceRequest r = w.spec().resources();
    if (running.size() >= parallelism) {
      return "waiting: " + running.size() + "/" + parallelism + " running (parallelism)";
    }
    if (cpuInUse + r.cpu() > machineCpu + 1e-9) {
      return String.format(
          "waiting for %.2f cpu (%.2f of %.2f in use)", r.cpu(), cpuInUse, machineCpu);
    }
    if (memoryInUse + r.memoryBytes() > machineMemory) {
      return "waiting for " + (r.memoryBytes() >> 20) + " MiB of memory";
    }
    return "waiting behind earlier workloads";
  }

  private void admit(LocalWorkload w) {
    running.add(w);
    cpuInUse += w.spec().resources().cpu();
    memoryInUse += w.spec().resources().memoryBytes();
    if (quotas != null) {
      Usage u = usage(w);
      u.cpu += w.spec().resources().cpu();
      u.memory += w.spec().resources().memoryBytes();
      u.running++;
    }
    ResourceRequest r = w.spec().resources();
    if (running.size() == 1 && (r.cpu() > machineCpu || r.memoryBytes() > machineMemory)) {
      w.noteOnStart(
          String.format(
              "requests %s cpu and %d MiB, more than this machine's %s cpu and %d MiB;"
                  + " running it alone",
              r.cpu(), r.memoryBytes() >> 20, machineCpu, machineMemory >> 20));
    }
  }

  /** Called when a workload ends: frees its share and starts what now fits. */
  void released(LocalWorkload w) {
    for (LocalWorkload next : release(w)) {
      execute(next);
    }
  }

  /**
   * Frees {@code w}'s share and admits what now fits, returning those for the caller to start: a
   * workload's own thread, free once its process has ended, runs the first itself rather than
   * waking another.
   */
  List<LocalWorkload> release(LocalWorkload w) {
    List<LocalWorkload> toStart = new ArrayList<>();
    synchronized (this) {
      if (running.remove(w)) {
        cpuInUse = Math.max(0, cpuInUse - w.spec().resources().cpu());
        memoryInUse = Math.max(0, memoryInUse - w.spec().resources().memoryBytes());
        if (quotas != null) {
          Usage u = usage(w);
          u.cpu = Math.max(0, u.cpu - w.spec().resources().cpu());
          u.memory = Math.max(0, u.memory - w.spec().resources().memoryBytes());
          u.running--;
        }
      } else if (queue.remove(w)) {
        usage(w).queued--;
      }
      if (quotas != null) {
        return closed ? toStart : admitQueued();
      }
      while (!closed && !queue.isEmpty() && fits(queue.peek())) {
        LocalWorkload next = queue.poll();
        usage(next).queued--;
        admit(next);
        toStart.add(next);
      }
      LocalWorkload head = queue.peek();
      if (head != null) {
        // only the head's reason can have changed in a way worth telling; updating every queued
        // workload here would cost O(queue) on each release
        head.queued(waitReason(head));
      }
    }
    return toStart;
  }

  /**
   * With quotas: admits queued workloads in order while the machine has room, passing by those
   * whose namespace is at its quota (they keep their place). The scan stops once every workload
   * left waits on a full namespace, so one namespace's long queue costs nothing per release. Lock
   * held.
   */
  private List<LocalWorkload> admitQueued() {
    List<LocalWorkload> toStart = new ArrayList<>();
    Set<String> full = new HashSet<>();
    int blocked = 0;
    for (Iterator<LocalWorkload> it = queue.iterator(); it.hasNext() && blocked < queue.size(); ) {
      LocalWorkload w = it.next();
      String ns = w.spec().namespace();
      if (full.contains(ns)) {
        continue;
      }
      if (!quotaFits(w)) {
        full.add(ns);
        blocked += usage(w).queued;
        String why = quotaReason(w);
        w.queued(why);
        w.noteOnStart(why.replaceFirst("^waiting", "waited")); // its log will say why it waited
        continue;
      }
      if (!fits(w)) {
        w.queued(waitReason(w));
        break; // the machine is full: first come, first served
      }
      it.remove();
      usage(w).queued--;
      admit(w);
      toStart.add(w);
    }
    return toStart;
  }

  /** Removes a queued workload; false when it was already admitted. */
  synchronized boolean dequeue(LocalWorkload w) {
    if (queue.remove(w)) {
      usage(w).queued--;
      return true;
    }
    return false;
  }

  /**
   * Cancels every queued and running workload (killing their process trees), waits up to a few
   * seconds for them to report their end, and refuses later launches. Idempotent.
   */
  @Override
  public void close() {
    List<LocalWorkload> all;
    synchronized (this) {
      closed = true;
      all = new ArrayList<>(queue);
      all.addAll(running);
    }
    for (LocalWorkload w : all) {
      w.cancel(); // closed: a freed slot admits nothing
    }
    try {
      CompletableFuture.allOf(
              all.stream().map(Workload::completion).toArray(CompletableFuture[]::new))
          .get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // completions never fail; a process that will not die is not worth blocking close
    }
    timers.shutdownNow();
    pool.shutdown();
  }

  /**
   * How far a recorded {@link WorkloadStatus#pidStartedAt()} may be from the start time the OS
   * reports for the pid. The record is the runtime's clock as the spawn returned; on Linux the JDK
   * reports the boot time in whole seconds ({@code btime} of {@code /proc/stat}) plus the process's
   * start in clock ticks, so the report is early by the boot time's fraction of a second, up to one
   * second, on top of the spawn's few milliseconds: one second would miss on some machines.
   */
  static final Duration START_TOLERANCE = Duration.ofSeconds(2);

  /**
   * Kills a process tree a dead Keel process left behind, when {@code pid} still names the process
   * that started at {@code pidStartedAt} (within two seconds, as the recorded and reported times
   * may differ by up to a second and a bit): a pid reused by another process since is left alone.
   *
   * @param pid the process id recorded in {@link WorkloadStatus#pid()}
   * @param pidStartedAt the start instant recorded in {@link WorkloadStatus#pidStartedAt()}
   * @return whether something was killed
   */
  public static boolean killStale(long pid, Instant pidStartedAt) {
    Optional<ProcessHandle> h = ProcessHandle.of(pid);
    if (h.isEmpty() || !h.get().isAlive() || pidStartedAt == null) {
      return false;
    }
    Optional<Instant> started = h.get().info().startInstant();
    if (started.isEmpty()
        || Duration.between(started.get(), pidStartedAt).abs().compareTo(START_TOLERANCE) > 0) {
      return false;
    }
    killTree(h.get());
    return true;
  }

  /**
   * Kills every process whose environment holds {@code key=value}, with its descendants: how a
   * restarted Keel finds what a dead one launched (Linux; elsewhere it finds nothing).
   *
   * @return how many processes were killed
   */
  public static int killTagged(String key, String value) {
    byte[] wanted = (key + "=" + value).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    long self = ProcessHandle.current().pid();
    List<ProcessHandle> found = new ArrayList<>();
    ProcessHandle.allProcesses()
        .filter(h -> h.pid() != self)
        .forEach(
            h -> {
              try {
                byte[] env =
                    java.nio.file.Files.readAllBytes(
                        java.nio.file.Path.of("/proc", String.valueOf(h.pid()), "environ"));
                if (containsEntry(env, wanted)) {
                  found.add(h);
                }
              } catch (java.io.IOException | SecurityException e) {
                // not ours to read, or gone already
              }
            });
    found.forEach(LocalRuntime::killTree);
    return found.size();
  }

  private static boolean containsEntry(byte[] env, byte[] entry) {
    int start = 0;
    for (int i = 0; i <= env.length; i++) {
      if (i == env.length || env[i] == 0) {
        if (i - start == entry.length
            && java.util.Arrays.equals(env, start, i, entry, 0, entry.length)) {
          return true;
        }
        start = i + 1;
      }
    }
    return false;
  }

  /**
   * Kills a process and every descendant with SIGKILL. The whole tree is listed first, while the
   * root still holds it together (once a parent dies its children are re-parented and no longer
   * show as its descendants); then the root dies, so a shell cannot run its next command when a
   * child dies; then each listed process, after listing what it forked meanwhile.
   */
  static void killTree(ProcessHandle root) {
    // The root goes first: killed children would otherwise let a shell root run its next
    // command before its own kill lands. The children were listed before, so they are still
    // found after the root is gone and they are re-parented.
    List<ProcessHandle> tree = root.descendants().toList();
    root.destroyForcibly();
    for (ProcessHandle child : tree) {
      List<ProcessHandle> grandchildren = child.descendants().toList();
      child.destroyForcibly();
      grandchildren.forEach(ProcessHandle::destroyForcibly);
    }
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Configures a {@link LocalRuntime}. */
  public static final class Builder {
    private int parallelism = Runtime.getRuntime().availableProcessors();
    private double machineCpu = Runtime.getRuntime().availableProcessors();
    private long machineMemory = physicalMemory();
    private ImageMap imageMap;
    private Clock clock = Clock.systemUTC();
    private Function<String, NamespaceQuota> quotas;

    private Builder() {}

    /**
     * Each namespace's quota, asked when a workload of that namespace is launched (default: no
     * quotas). The function may return {@code null} or {@link NamespaceQuota#NONE} for none.
     */
    public Builder quotas(Function<String, NamespaceQuota> quotas) {
      this.quotas = Objects.requireNonNull(quotas, "quotas");
      return this;
    }

    /** Most workloads running at once (default: cores). */
    public Builder parallelism(int parallelism) {
      if (parallelism < 1) {
        throw new IllegalArgumentException("parallelism must be at least 1, was " + parallelism);
      }
      this.parallelism = parallelism;
      return this;
    }

    /** CPU cores admission may hand out (default: cores). */
    public Builder machineCpu(double cpu) {
      if (cpu <= 0) {
        throw new IllegalArgumentException("machine CPU must be positive, was " + cpu);
      }
      this.machineCpu = cpu;
      return this;
    }

    /** Memory admission may hand out (default: physical memory). */
    public Builder machineMemoryBytes(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("machine memory must be positive, was " + bytes);
      }
      this.machineMemory = bytes;
      return this;
    }

    /** How images map to local programs (default: {@link ImageMap#defaults()}). */
    public Builder imageMap(ImageMap map) {
      this.imageMap = Objects.requireNonNull(map, "imageMap");
      return this;
    }

    /**
     * The clock for timestamps, including {@link WorkloadStatus#pidStartedAt()}, which {@link
     * LocalRuntime#killStale} compares with the OS's start time: keep it near the system clock.
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The runtime; it owns threads until {@link LocalRuntime#close()}. */
    public LocalRuntime build() {
      if (imageMap == null) {
        imageMap = ImageMap.defaults();
      }
      return new LocalRuntime(this);
    }

    private static long physicalMemory() {
      var os = ManagementFactory.getOperatingSystemMXBean();
      if (os instanceof OperatingSystemMXBean sun) {
        return sun.getTotalMemorySize();
      }
      return 8L << 30;
    }
  }
}
