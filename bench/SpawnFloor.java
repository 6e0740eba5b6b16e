import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * The least a JVM pays to run N no-op processes J at a time, the way Keel's local runtime runs a
 * task: a log file opened with a first line, ProcessBuilder with argv, stdout and stderr appended
 * straight to that log, a pooled thread waiting for the exit. No store, no engine, no task folder.
 * Run by bench/spawn-floor.sh with the same JVM flags as ./keel; prints the wall milliseconds from
 * first launch to last exit.
 *
 * <p>Usage: java SpawnFloor.java N J DIR
 */
public class SpawnFloor {
  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    int j = Integer.parseInt(args[1]);
    Path dir = Path.of(args[2]);
    ExecutorService pool = Executors.newCachedThreadPool();
    Semaphore slots = new Semaphore(j);
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      slots.acquire();
      int k = i;
      pool.execute(
          () -> {
            try {
              Path log = dir.resolve("s" + k + ".log");
              Files.writeString(log, "[keel] image alpine -> host programs\n");
              ProcessBuilder pb =
                  new ProcessBuilder("touch", dir.resolve("s" + k).toString())
                      .redirectErrorStream(true)
                      .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                      .redirectInput(new File("/dev/null"));
              Process p = pb.start();
              p.waitFor();
            } catch (Exception e) {
              throw new RuntimeException(e);
            } finally {
              slots.release();
            }
          });
    }
    slots.acquire(j);
    System.out.println((System.nanoTime() - t0) / 1_000_000);
    System.exit(0);
  }
}
