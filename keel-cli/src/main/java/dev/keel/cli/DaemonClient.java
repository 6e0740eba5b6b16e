package dev.keel.cli;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code keel run} as the {@code ./keel} launcher starts it: the command goes to a warm {@link
 * Daemon} for this Java, jar, JVM options, working folder and environment, started on the first run
 * and reused by the next ones, and this process only shows what it prints and exits with its code.
 * Ctrl-C here interrupts the command there.
 *
 * <p>{@code KEEL_DAEMON=off} turns it off. When the daemon cannot be reached or started, or is
 * running another command, the command runs in this process as it always could.
 */
final class DaemonClient {
  /** The system property with which {@code ./keel} asks for the daemon. */
  static final String PROPERTY = "keel.daemon";

  /** {@link #run}'s answer when the command is to run in this process after all. */
  static final int NOT_SERVED = -1;

  /** How long a daemon waits for its next command before it stops (KEEL_DAEMON_IDLE, seconds). */
  static final long IDLE_SECONDS = 600;

  private static final Set<String> OFF = Set.of("off", "false", "0", "no");

  private DaemonClient() {}

  /** Whether this command line is one for the daemon. */
  static boolean wanted(String[] args) {
    if (!Boolean.getBoolean(PROPERTY) || args.length == 0 || !args[0].equals("run")) {
      return false;
    }
    String setting = System.getenv("KEEL_DAEMON");
    return setting == null || !OFF.contains(setting.toLowerCase(Locale.ROOT));
  }

  /** Has a daemon run the command; its exit code, or {@link #NOT_SERVED}. */
  static int run(String[] args) {
    Launch launch = Launch.ofThisProcess();
    if (launch == null) {
      return NOT_SERVED;
    }
    SocketChannel found;
    try {
      found = launch.connect();
      if (found == null) {
        found = launch.start();
      }
    } catch (IOException e) {
      return NOT_SERVED;
    }
    if (found == null) {
      return NOT_SERVED;
    }
    try (SocketChannel ch = found) {
      return serve(ch, launch, args);
    } catch (IOException e) {
      return NOT_SERVED; // the request could not be sent: nothing runs there
    }
  }

  private static int serve(SocketChannel ch, Launch launch, String[] args) throws IOException {
    DataOutputStream out = DaemonWire.writer(ch);
    DataInputStream in = DaemonWire.reader(ch);
    DaemonWire.writeRequest(out, DaemonWire.COMMAND, System.console() != null, List.of(args));
    // from here on the command may be running there: it is never run here as well, short of BUSY
    CountDownLatch ended = new CountDownLatch(1);
    Thread onCtrlC =
        new Thread(
            () -> {
              if (ended.getCount() == 0) {
                return;
              }
              try {
                out.writeByte(DaemonWire.INTERRUPT);
                out.flush();
                ended.await(15, TimeUnit.SECONDS); // the run ends CANCELED, and prints so
              } catch (IOException | InterruptedException e) {
                // the daemon is gone, or this process is being stopped harder
              }
            },
            "keel-interrupt");
    Runtime.getRuntime().addShutdownHook(onCtrlC);
    OutputStream stdout = new FileOutputStream(FileDescriptor.out);
    OutputStream stderr = new FileOutputStream(FileDescriptor.err);
    try {
      while (true) {
        byte type = in.readByte();
        byte[] payload = DaemonWire.readPayload(in);
        if (type == DaemonWire.BUSY) {
          return NOT_SERVED; // nothing ran there: it runs here
        } else if (type == DaemonWire.OUT) {
          write(stdout, payload);
        } else if (type == DaemonWire.ERR) {
          write(stderr, payload);
        } else if (type == DaemonWire.EXIT) {
          return java.nio.ByteBuffer.wrap(payload).getInt();
        }
      }
    } catch (IOException gone) {
      write(
          stderr,
          ("keel: the daemon running this command stopped (its log: "
                  + launch.log
                  + "); 'keel runs resume' carries an unfinished run on\n")
              .getBytes(StandardCharsets.UTF_8));
      return 1;
    } finally {
      ended.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(onCtrlC);
      } catch (IllegalStateException shuttingDown) {
        // the hook is waiting for this very answer
      }
    }
  }

  /** Writes to this process's stdout or stderr; a closed one (| head) drops the output. */
  private static void write(OutputStream to, byte[] b) {
    try {
      to.write(b);
    } catch (IOException closed) {
      // as the command would have carried on in its own process
    }
  }

  /** The daemon folder: KEEL_DAEMON_DIR, else $XDG_RUNTIME_DIR/keel, else ~/.cache/keel/daemon. */
  static Path directory() {
    String set = System.getenv("KEEL_DAEMON_DIR");
    if (set != null && !set.isBlank()) {
      return Path.of(set).toAbsolutePath();
    }
    String runtime = System.getenv("XDG_RUNTIME_DIR");
    if (runtime != null && !runtime.isBlank() && Files.isDirectory(Path.of(runtime))) {
      return Path.of(runtime, "keel");
    }
    return Path.of(System.getProperty("user.home"), ".cache", "keel", "daemon");
  }

  /** Opens {@code socket}; {@code null} when no daemon listens there. */
  static SocketChannel connect(Path socket) {
    if (!Files.exists(socket)) {
      return null;
    }
    try {
      return SocketChannel.open(UnixDomainSocketAddress.of(socket));
    } catch (IOException refused) {
      return null;
    }
  }

  /** How this process was started, which a daemon serving it must share. */
  static final class Launch {
    final String java;
    final List<String> jvmOptions;
    final Path jar;
    final Path socket;
    final Path lock;
    final Path log;

    private Launch(String java, List<String> jvmOptions, Path jar, Path dir, String key) {
      this.java = java;
      this.jvmOptions = jvmOptions;
      this.jar = jar;
      this.socket = dir.resolve(key + ".sock");
      this.lock = dir.resolve(key + ".lock");
      this.log = dir.resolve(key + ".log");
    }

    /** This process's launch; {@code null} when it is not one a daemon can share. */
    static Launch ofThisProcess() {
      ProcessHandle.Info info = ProcessHandle.current().info();
      String java = info.command().orElse(null);
      String[] argv = info.arguments().orElse(null);
      if (java == null || argv == null) {
        return null;
      }
      int jarAt = Arrays.asList(argv).indexOf("-jar");
      if (jarAt < 0 || jarAt + 1 >= argv.length) {
        return null;
      }
      List<String> options = List.of(argv).subList(0, jarAt);
      Path jar = Path.of(argv[jarAt + 1]).toAbsolutePath();
      Path dir = directory();
      try {
        if (!privateFolder(dir)) {
          return null;
        }
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        List<String> identity = new ArrayList<>();
        identity.add(java);
        identity.addAll(options);
        identity.add(jar.toString());
        identity.add(Long.toString(Files.size(jar)));
        identity.add(Files.getLastModifiedTime(jar).toString());
        identity.add(System.getProperty("user.dir"));
        new TreeMap<>(System.getenv()).forEach((k, v) -> identity.add(k + "=" + v));
        for (String s : identity) {
          sha.update(s.getBytes(StandardCharsets.UTF_8));
          sha.update((byte) 0);
        }
        String key = HexFormat.of().formatHex(sha.digest(), 0, 12);
        Launch launch = new Launch(java, options, jar, dir, key);
        // a Unix socket's path is at most 107 bytes
        return launch.socket.toString().getBytes(StandardCharsets.UTF_8).length < 100
            ? launch
            : null;
      } catch (IOException | UnsupportedOperationException | NoSuchAlgorithmException e) {
        return null;
      }
    }

    /**
     * Makes the folder, open to its owner only, or checks that it is so: a socket in it takes
     * commands that run as this user. A folder that is someone else's or open to others is not
     * used.
     */
    private static boolean privateFolder(Path dir) throws IOException {
      Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rwx------");
      if (!Files.exists(dir)) {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, ownerOnly);
      }
      return Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
          && Files.getOwner(dir).getName().equals(System.getProperty("user.name"))
          && Files.getPosixFilePermissions(dir).equals(ownerOnly);
    }

    SocketChannel connect() {
      return DaemonClient.connect(socket);
    }

    /** Starts a daemon for this launch and connects to it; {@code null} if none came up. */
    SocketChannel start() throws IOException {
      List<String> cmd = new ArrayList<>();
      // its own session: Ctrl-C and a closed terminal reach this client, which tells the daemon
      for (String setsid : List.of("/usr/bin/setsid", "/bin/setsid")) {
        if (Files.isExecutable(Path.of(setsid))) {
          cmd.add(setsid);
          break;
        }
      }
      cmd.add(java);
      cmd.addAll(jvmOptions);
      cmd.addAll(List.of("-cp", jar.toString(), Daemon.class.getName()));
      cmd.addAll(List.of(socket.toString(), lock.toString(), Long.toString(idleSeconds())));
      Process p =
          new ProcessBuilder(cmd)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectOutput(log.toFile())
              .redirectErrorStream(true)
              .start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      long gaveUp = Long.MAX_VALUE;
      while (System.nanoTime() < Math.min(deadline, gaveUp)) {
        SocketChannel ch = connect();
        if (ch != null) {
          return ch;
        }
        if (gaveUp == Long.MAX_VALUE && !p.isAlive()) {
          // it found another daemon starting for this launch: give that one a moment
          gaveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        }
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return null;
        }
      }
      return null;
    }

    private static long idleSeconds() {
      Map<String, String> env = System.getenv();
      try {
        return Math.max(1, Long.parseLong(env.getOrDefault("KEEL_DAEMON_IDLE", "")));
      } catch (NumberFormatException unset) {
        return IDLE_SECONDS;
      }
    }
  }
}
