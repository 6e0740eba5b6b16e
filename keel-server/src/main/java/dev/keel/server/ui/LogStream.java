package dev.keel.server.ui;

import dev.keel.store.TaskRecord;
import dev.keel.store.Tasks;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Follows one task's log for a page: each {@link #poll()} answers what was appended since the last,
 * as whole lines, escaped for HTML; once the task has ended, the rest of the log, a line saying so,
 * and {@code done}. A page never gets more than {@code cap} bytes at once: when more was appended
 * between two polls (or the log is already longer when it starts), the earlier part is left out and
 * a line says how much.
 */
final class LogStream {
  /**
   * An event to send: {@code log} (HTML to append), {@code end} (HTML saying how the task ended) or
   * {@code done}; {@code id} is how far into the log the page has read, for a reconnect.
   */
  record Event(String name, String data, String id) {}

  private static final Set<String> RUNNING = Set.of("PENDING", "RUNNING");

  private final Tasks tasks;
  private final String taskId;
  private final long cap;
  private long offset;
  private String logPath;
  private int attempt = -1;
  private boolean done;
  private boolean unreadable;

  /**
   * @param from how far into the log the page has it already; negative to start with the log's last
   *     {@code cap} bytes
   */
  LogStream(Tasks tasks, String taskId, long from, long cap) {
    this.tasks = tasks;
    this.taskId = taskId;
    this.offset = from;
    this.cap = cap;
  }

  boolean done() {
    return done;
  }

  /** What to send now; empty when nothing changed. */
  List<Event> poll() {
    List<Event> out = new ArrayList<>();
    if (done) {
      return out;
    }
    TaskRecord t = tasks.get(taskId).orElse(null);
    if (t == null) {
      out.add(new Event("end", "The task is gone.", null));
      return finish(out);
    }
    // read the state first: once it says ended, the log holds all the process wrote
    boolean ended = !RUNNING.contains(t.state());
    if (attempt >= 0 && t.attempt() != attempt && offset > 0) {
      // a retry writes its log afresh
      offset = 0;
      out.add(log("\n— attempt " + t.attempt() + " —\n"));
    }
    attempt = t.attempt();
    if (t.logPath() != null) {
      if (logPath != null && !logPath.equals(t.logPath())) {
        offset = 0;
      }
      logPath = t.logPath();
      read(Path.of(logPath), ended, out);
    }
    if (ended) {
      // the panel's state badge changes with it (out of band)
      String label = Views.escape(Views.stateLabel(t.state()));
      out.add(
          new Event(
              "end",
              "The task has ended: "
                  + label
                  + ".<p id=\"panel-state\" hx-swap-oob=\"true\"><span class=\"badge "
                  + Views.stateClass(t.state())
                  + "\">"
                  + label
                  + "</span></p>",
              null));
      return finish(out);
    }
    return out;
  }

  private List<Event> finish(List<Event> out) {
    out.add(new Event("done", "done", null)); // an event without data never fires
    done = true;
    return out;
  }

  private void read(Path p, boolean ended, List<Event> out) {
    if (!Files.isRegularFile(p)) {
      return;
    }
    try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "r")) {
      long len = f.length();
      if (offset > len) {
        offset = 0; // the file was written afresh
      }
      boolean skipped = false;
      if (offset < 0 || len - offset > cap) {
        long from = Math.max(0, len - cap);
        long left = offset < 0 ? from : from - offset;
        offset = from;
        if (left > 0) {
          skipped = true;
          out.add(
              new Event(
                  "log",
                  "<span class=\"log-skip\">… "
                      + left
                      + " bytes of the log are left out: the page keeps the last "
                      + cap / 1024
                      + " KiB …\n</span>",
                  Long.toString(offset)));
        }
      }
      if (len == offset) {
        return;
      }
      byte[] buf = new byte[(int) (len - offset)];
      f.seek(offset);
      f.readFully(buf);
      int start = 0;
      if (skipped) {
        // start at a line (and a character) boundary
        int nl = indexOf(buf, 0);
        if (nl >= 0 && nl < buf.length - 1) {
          start = nl + 1;
        }
      }
      int end = buf.length;
      if (!ended) {
        // whole lines only, unless a line alone is half the cap
        int nl = lastIndexOf(buf);
        if (nl >= start) {
          end = nl + 1;
        } else if (buf.length - start < cap / 2) {
          end = start;
        }
      }
      if (end > start) {
        String text = new String(buf, start, end - start, StandardCharsets.UTF_8);
        offset += end;
        out.add(log(text));
      } else {
        offset += start;
      }
    } catch (IOException e) {
      if (!unreadable) {
        unreadable = true; // said once; the next polls try again
        out.add(log("cannot read the log: " + e.getMessage() + "\n"));
      }
    }
  }

  private Event log(String text) {
    return new Event("log", "<span>" + Views.escape(text) + "</span>", Long.toString(offset));
  }

  private static int indexOf(byte[] b, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private static int lastIndexOf(byte[] b) {
    for (int i = b.length - 1; i >= 0; i--) {
      if (b[i] == '\n') {
        return i;
      }
    }
    return -1;
  }
}
