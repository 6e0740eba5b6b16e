package dev.keel.cli;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Where the command running now was typed: this process's own terminal, or a {@code keel run} that
 * handed its command to the {@link Daemon}. Commands ask it, not the JVM, whether a person is
 * watching and what Ctrl-C should do, so that they behave alike in both places.
 */
final class Invocation {
  /** The client the daemon serves now; {@code null} in a process of its own. */
  private static volatile Invocation current;

  private final boolean interactive;
  private final List<Runnable> onInterrupt = new CopyOnWriteArrayList<>();
  private volatile boolean interrupted;

  private Invocation(boolean interactive) {
    this.interactive = interactive;
  }

  /**
   * Whether the command's output goes to a terminal (a progress bar) rather than a file or pipe.
   */
  static boolean interactive() {
    Invocation i = current;
    return i != null ? i.interactive : System.console() != null;
  }

  /**
   * Runs {@code action} when the user interrupts the command (Ctrl-C, or the process being told to
   * stop), until the returned handle is closed.
   */
  static Registration onInterrupt(Runnable action) {
    Invocation i = current;
    if (i != null) {
      i.onInterrupt.add(action);
      if (i.interrupted && i.onInterrupt.remove(action)) {
        action.run(); // Ctrl-C came before the command could say what it means for it
      }
      return () -> i.onInterrupt.remove(action);
    }
    Thread hook = new Thread(action, "keel-interrupt");
    Runtime.getRuntime().addShutdownHook(hook);
    return () -> {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or has run: nothing to take back
      }
    };
  }

  /** Makes a client of the daemon the caller of the commands run from now until {@link #end}. */
  static Invocation begin(boolean interactive) {
    Invocation i = new Invocation(interactive);
    current = i;
    return i;
  }

  /** The daemon's command has ended. */
  static void end() {
    current = null;
  }

  /** The client was interrupted: runs what the command registered, in the order it did. */
  void interrupt() {
    interrupted = true;
    for (Runnable r : onInterrupt) {
      if (onInterrupt.remove(r)) {
        r.run();
      }
    }
  }

  /** Takes back an {@link #onInterrupt} action. */
  interface Registration extends AutoCloseable {
    @Override
    void close();
  }
}
