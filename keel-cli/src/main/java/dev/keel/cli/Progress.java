package dev.keel.cli;

import dev.keel.pipelines.EngineListener;
import dev.keel.pipelines.TaskState;
import dev.keel.store.RunRecord;
import dev.keel.store.TaskRecord;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Live progress of a run on the terminal: one line per task state change and, on an interactive
 * terminal, a progress bar redrawn under them. Without a console (CI, pipes) only the lines.
 */
final class Progress implements EngineListener {
  private final PrintStream out;
  private final boolean interactive;
  private final Set<String> leafComponents;
  private final Map<String, String> lastState = new HashMap<>();
  private final Set<String> done = new HashSet<>();
  private int total;
  private boolean barShown;

  Progress(PrintStream out, boolean interactive, int total, Set<String> leafComponents) {
    this.out = out;
    this.leafComponents = leafComponents;
    this.interactive = interactive;
    this.total = total;
  }

  @Override
  public synchronized void taskChanged(RunRecord run, TaskRecord task) {
    if (task.state().equals(lastState.get(task.path()))) {
      return;
    }
    lastState.put(task.path(), task.state());
    TaskState state = TaskState.valueOf(task.state());
    boolean leaf = leafComponents.contains(task.componentName());
    if (state.isTerminal() && leaf) {
      done.add(task.path());
      total = Math.max(total, done.size());
    }
    // a line per state change of every task: plain appends, as String.format cost a tenth of the
    // engine's time on a DAG of no-op steps
    StringBuilder line = new StringBuilder(64).append("  ").append(state.name());
    for (int pad = state.name().length(); pad < 13; pad++) {
      line.append(' ');
    }
    line.append(' ').append(task.path());
    if (state.isTerminal() && task.startedAt() != null && task.finishedAt() != null) {
      line.append("  (")
          .append(seconds(Duration.between(task.startedAt(), task.finishedAt())))
          .append(')');
    }
    if (state == TaskState.CACHED) {
      line.append("  cache hit");
    }
    if (state == TaskState.FAILED && task.error() != null) {
      line.append("  ").append(task.error());
    }
    print(line.toString());
  }

  @Override
  public synchronized void runChanged(RunRecord run) {
    print("run " + run.state());
  }

  @Override
  public synchronized void note(String runId, String message) {
    print("  " + message);
  }

  private void print(String line) {
    if (interactive && barShown) {
      out.print("\r\033[2K");
    }
    out.println(line);
    if (interactive && total > 0) {
      out.print(bar());
      barShown = true;
    }
    out.flush();
  }

  /** Clears the bar before the final summary. */
  synchronized void close() {
    if (interactive && barShown) {
      out.print("\r\033[2K");
      out.flush();
      barShown = false;
    }
  }

  private String bar() {
    int width = 30;
    int filled = total == 0 ? 0 : Math.min(width, done.size() * width / total);
    return "["
        + "#".repeat(filled)
        + "-".repeat(width - filled)
        + "] "
        + done.size()
        + "/"
        + total
        + " tasks";
  }

  static String seconds(Duration d) {
    long tenths = Math.round(d.toMillis() / 100.0);
    return (tenths / 10) + "." + (tenths % 10) + " s";
  }
}
