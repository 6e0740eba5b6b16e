package dev.keel.cli;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code keel daemon status|stop}: the warm Keels that serve {@code ./keel run}. */
@Command(
    name = "daemon",
    mixinStandardHelpOptions = true,
    description = "The warm Keels in the background that ./keel run hands its runs to.",
    subcommands = {DaemonCommand.Status.class, DaemonCommand.Stop.class})
final class DaemonCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** {@code keel daemon status}. */
  @Command(name = "status", description = "List the daemons: process, state, since, folder.")
  static final class Status implements Callable<Integer> {
    @Override
    public Integer call() throws IOException {
      List<String> lines = ask(DaemonWire.STATUS);
      if (lines.isEmpty()) {
        System.out.println("no daemon running");
        return 0;
      }
      System.out.printf("%-8s  %-5s  %-27s  %s%n", "PID", "STATE", "SINCE", "FOLDER");
      for (String line : lines) {
        String[] f = line.split("\t", 4);
        System.out.printf("%-8s  %-5s  %-27s  %s%n", f[0], f[1], f[2], f[3]);
      }
      return 0;
    }
  }

  /** {@code keel daemon stop}. */
  @Command(
      name = "stop",
      description = "Stop the daemons; one running a command stops when the command ends.")
  static final class Stop implements Callable<Integer> {
    @Override
    public Integer call() throws IOException {
      int n = ask(DaemonWire.STOP).size();
      System.out.println(n == 0 ? "no daemon running" : "stopping " + n + " daemon(s)");
      return 0;
    }
  }

  /**
   * Sends a request to every daemon of this user; one line per daemon that answered (for {@code
   * STOP}, an empty one).
   */
  private static List<String> ask(byte kind) throws IOException {
    Path dir = DaemonClient.directory();
    List<String> answers = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return answers;
    }
    try (DirectoryStream<Path> sockets = Files.newDirectoryStream(dir, "*.sock")) {
      for (Path socket : sockets) {
        SocketChannel ch = DaemonClient.connect(socket);
        if (ch == null) {
          continue; // left by a daemon that was killed; the next one there removes it
        }
        try (ch) {
          DataOutputStream out = DaemonWire.writer(ch);
          DataInputStream in = DaemonWire.reader(ch);
          DaemonWire.writeRequest(out, kind, false, List.of());
          StringBuilder text = new StringBuilder();
          while (true) {
            byte type = in.readByte();
            byte[] payload = DaemonWire.readPayload(in);
            if (type == DaemonWire.EXIT) {
              break;
            }
            text.append(new String(payload, StandardCharsets.UTF_8));
          }
          answers.add(text.toString().strip());
        } catch (IOException gone) {
          // it stopped while asked
        }
      }
    }
    return answers;
  }
}
