package dev.keel.cli;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A warm Keel kept running in the background, which runs {@code keel run} for the {@code ./keel}
 * launcher (see {@link DaemonClient}), as Gradle's daemon runs builds.
 *
 * <p>A JVM that has run a pipeline before has its code compiled and its classes loaded: the next
 * run starts in a tenth of the time and each task costs less. The daemon was started by a client
 * with that client's Java, JVM options, jar, working folder and environment, and serves only
 * clients with the same (they are in its socket's name), so a command runs exactly as it would in
 * the client's own process: relative paths, {@code KEEL_HOME} and the tasks' environment included.
 *
 * <p>It runs one command at a time (another client is told it is busy and runs its command itself),
 * sends the command's output to the client as it is printed, and stops after an idle while or when
 * told to ({@code keel daemon stop}). Runs are in the store like any other: if the daemon dies,
 * {@code keel runs resume} carries its unfinished run on; if the client is killed, the run carries
 * on in the daemon.
 */
public final class Daemon {
  private final ServerSocketChannel server;
  private final Path socket;
  private final long idleNanos;
  private final PrintStream logOut = System.out;
  private final PrintStream logErr = System.err;
  private final AtomicBoolean busy = new AtomicBoolean();
  private final Instant started = Instant.now();
  private volatile long lastActive = System.nanoTime();
  private volatile boolean stopping;

  private Daemon(ServerSocketChannel server, Path socket, Duration idle) {
    this.server = server;
    this.socket = socket;
    this.idleNanos = idle.toNanos();
  }

  /** {@code Daemon SOCKET LOCK IDLE_SECONDS}, started by {@link DaemonClient}. */
  public static void main(String[] args) throws Exception {
    Keel.prepareJvm();
    Path socket = Path.of(args[0]);
    Path lock = Path.of(args[1]);
    Duration idle = Duration.ofSeconds(Long.parseLong(args[2]));
    try (FileChannel lockFile =
            FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock held = lockFile.tryLock()) {
      if (held == null) {
        return; // another daemon serves these clients, or is starting to
      }
      Files.deleteIfExists(socket); // left by a daemon that was killed
      tidy(socket.getParent());
      try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
        server.bind(UnixDomainSocketAddress.of(socket));
        // stopped by a signal, main's finally does not run: the socket goes all the same
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      try {
                        Files.deleteIfExists(socket);
                      } catch (IOException ignored) {
                        // the next daemon there removes it
                      }
                    }));
        System.out.println(Instant.now() + " keel daemon " + ProcessHandle.current().pid() + " up");
        new Daemon(server, socket, idle).serve();
      } finally {
        Files.deleteIfExists(socket);
      }
    }
    System.out.println(Instant.now() + " keel daemon stopped");
    System.exit(0);
  }

  /**
   * Removes what daemons that have not run for a week left (a log and a lock per launch served):
   * each new folder, environment or build gets a daemon of its own, and these would pile up.
   */
  private static void tidy(Path dir) {
    Instant weekAgo = Instant.now().minus(Duration.ofDays(7));
    try (DirectoryStream<Path> logs = Files.newDirectoryStream(dir, "*.log")) {
      for (Path log : logs) {
        String key = log.getFileName().toString().replaceFirst("\\.log$", "");
        if (!Files.exists(dir.resolve(key + ".sock"))
            && Files.getLastModifiedTime(log).toInstant().isBefore(weekAgo)) {
          Files.deleteIfExists(dir.resolve(key + ".lock"));
          Files.deleteIfExists(log);
        }
      }
    } catch (IOException ignored) {
      // tidiness only
    }
  }

  private void serve() throws IOException {
    Thread watch = new Thread(this::closeWhenIdle, "keel-daemon-idle");
    watch.setDaemon(true);
    watch.start();
    while (true) {
      SocketChannel ch;
      try {
        ch = server.accept();
      } catch (ClosedChannelException closed) {
        return;
      }
      lastActive = System.nanoTime();
      Thread t = new Thread(() -> answer(ch), "keel-daemon-client");
      t.setDaemon(true);
      t.start();
    }
  }

  /** Closes the socket, which ends {@link #serve}, once idle for long enough or told to stop. */
  private void closeWhenIdle() {
    try {
      while (true) {
        Thread.sleep(500);
        boolean idle = !busy.get() && System.nanoTime() - lastActive > idleNanos;
        if ((idle || stopping) && busy.compareAndSet(false, true)) {
          server.close(); // busy stays set: no command starts after this
          return;
        }
      }
    } catch (InterruptedException | IOException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void answer(SocketChannel ch) {
    try (ch) {
      DataInputStream in = DaemonWire.reader(ch);
      DataOutputStream out = DaemonWire.writer(ch);
      if (in.readInt() != DaemonWire.MAGIC || in.readInt() != DaemonWire.VERSION) {
        return; // another build's `keel daemon status|stop` (a run never reaches another build)
      }
      byte kind = in.readByte();
      if (kind == DaemonWire.STATUS) {
        byte[] line =
            (ProcessHandle.current().pid()
                    + "\t"
                    + (busy.get() ? "busy" : "idle")
                    + "\t"
                    + started
                    + "\t"
                    + System.getProperty("user.dir")
                    + "\n")
                .getBytes(StandardCharsets.UTF_8);
        DaemonWire.frame(out, DaemonWire.OUT, line, 0, line.length);
        DaemonWire.exit(out, 0);
      } else if (kind == DaemonWire.STOP) {
        stopping = true;
        DaemonWire.exit(out, 0);
      } else if (kind == DaemonWire.COMMAND) {
        boolean interactive = in.readBoolean();
        List<String> args = DaemonWire.readArgs(in);
        if (stopping || !busy.compareAndSet(false, true)) {
          DaemonWire.frame(out, DaemonWire.BUSY, new byte[0], 0, 0);
          return;
        }
        try {
          DaemonWire.exit(out, run(args, interactive, in, out));
        } finally {
          lastActive = System.nanoTime();
          busy.set(false);
        }
      }
    } catch (IOException gone) {
      // the client went away; a command it started has run to its end regardless
    }
  }

  /** Runs one command as if in the client's process, its output going to the client. */
  private int run(
      List<String> args, boolean interactive, DataInputStream in, DataOutputStream out) {
    PrintStream stdout = new PrintStream(new ToClient(out, DaemonWire.OUT), true);
    PrintStream stderr = new PrintStream(new ToClient(out, DaemonWire.ERR), true);
    Invocation invocation = Invocation.begin(interactive);
    Thread listen =
        new Thread(
            () -> {
              try {
                if (in.read() == DaemonWire.INTERRUPT) {
                  invocation.interrupt();
                }
              } catch (IOException gone) {
                // the client is gone; the command carries on to its end
              }
            },
            "keel-daemon-interrupt");
    listen.setDaemon(true);
    listen.start();
    System.setOut(stdout);
    System.setErr(stderr);
    int code;
    try {
      code = Keel.execute(args.toArray(String[]::new));
    } catch (VirtualMachineError e) {
      stderr.println("error: " + e);
      stopping = true; // this JVM may no longer be sound
      code = 1;
    } finally {
      stdout.flush();
      stderr.flush();
      System.setOut(logOut);
      System.setErr(logErr);
      Invocation.end();
    }
    return code;
  }

  /**
   * A command's stdout or stderr, sent to the client a line (or a flush) at a time. Once the client
   * is gone what the command prints is dropped: the command itself carries on.
   */
  private static final class ToClient extends OutputStream {
    private final DataOutputStream out;
    private final byte type;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream(256);
    private boolean gone;

    ToClient(DataOutputStream out, byte type) {
      this.out = out;
      this.type = type;
    }

    @Override
    public synchronized void write(int b) {
      pending.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      pending.write(b, off, len);
      if (pending.size() >= 8192) {
        flush();
      }
    }

    @Override
    public synchronized void flush() {
      if (pending.size() == 0) {
        return;
      }
      if (!gone) {
        try {
          byte[] b = pending.toByteArray();
          for (int off = 0; off < b.length; off += DaemonWire.MAX_FRAME) {
            DaemonWire.frame(out, type, b, off, Math.min(DaemonWire.MAX_FRAME, b.length - off));
          }
        } catch (IOException e) {
          gone = true;
        }
      }
      pending.reset();
    }
  }
}
