package dev.keel.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Helpers shared by the runtime tests. */
final class Fixture {
  private static final AtomicInteger N = new AtomicInteger();

  private Fixture() {}

  /** A spec for host programs ({@code alpine}) with its own folder and log under {@code dir}. */
  static WorkloadSpec.Builder spec(Path dir, String... command) {
    String name = "w" + N.incrementAndGet();
    return WorkloadSpec.builder(name)
        .image("alpine")
        .command(command)
        .workingDir(dir.resolve(name))
        .logFile(dir.resolve(name + ".log"));
  }

  static WorkloadStatus await(Workload w) throws Exception {
    return w.completion().get(30, TimeUnit.SECONDS);
  }

  static String log(Workload w) throws IOException {
    return Files.readString(w.spec().logFile());
  }

  /** The most intervals [startedAt, finishedAt) that contain one instant. */
  static int maxOverlap(List<WorkloadStatus> statuses) {
    record Event(Instant at, int delta) {}
    List<Event> events = new ArrayList<>();
    for (WorkloadStatus s : statuses) {
      events.add(new Event(s.startedAt(), 1));
      events.add(new Event(s.finishedAt(), -1));
    }
    // at equal instants, ends before starts: a slot freed and taken at once is no overlap
    events.sort(Comparator.comparing(Event::at).thenComparingInt(Event::delta));
    int now = 0;
    int max = 0;
    for (Event e : events) {
      now += e.delta;
      max = Math.max(max, now);
    }
    return max;
  }

  /** Whether the process still runs after up to {@code millis}: zombies count as dead. */
  static boolean runningAfter(long pid, long millis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + millis;
    while (System.currentTimeMillis() < deadline) {
      try {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        char state = stat.charAt(stat.lastIndexOf(')') + 2);
        if (state == 'Z' || state == 'X') {
          return false;
        }
      } catch (IOException gone) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }
}
