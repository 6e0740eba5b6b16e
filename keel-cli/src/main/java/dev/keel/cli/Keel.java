package dev.keel.cli;

import dev.keel.core.Problem;
import dev.keel.core.ValidationException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code keel} command. */
@Command(
    name = "keel",
    mixinStandardHelpOptions = true,
    versionProvider = Keel.Version.class,
    description = "Kubeflow's machine-learning platform on one machine.",
    subcommands = {
      RunCommand.class,
      ServerCommand.class,
      ValidateCommand.class,
      CompileCommand.class,
      RunsCommand.class,
      SecretsCommand.class,
      UsersCommand.class,
      TokensCommand.class,
      ProfilesCommand.class,
      ApplyCommand.class,
      GetCommand.class,
      DescribeCommand.class,
      DaemonCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Keel implements Runnable {
  /** Exit code of a command whose input was refused. */
  static final int EXIT_INVALID = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Runs the command line and returns the exit code. */
  public static int execute(String... args) {
    CommandLine cmd = new CommandLine(new Keel());
    cmd.setExecutionExceptionHandler(Keel::handle);
    return cmd.execute(args);
  }

  public static void main(String[] args) {
    if (DaemonClient.wanted(args)) {
      int served = DaemonClient.run(args);
      if (served != DaemonClient.NOT_SERVED) {
        System.exit(served);
      }
    }
    prepareJvm();
    int code = execute(args);
    System.exit(code);
  }

  /** What a JVM that runs Keel's commands sets before the first of them. */
  static void prepareJvm() {
    // vfork skips the helper process JDK 17 starts for every child: tasks launch faster
    if (System.getProperty("jdk.lang.Process.launchMechanism") == null
        && Runtime.version().feature() < 21) {
      System.setProperty("jdk.lang.Process.launchMechanism", "VFORK");
    }
  }

  private static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    if (e instanceof ValidationException v) {
      for (Problem p : v.problems()) {
        err.println("error: " + p);
      }
      err.flush();
      return EXIT_INVALID;
    }
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    err.println("error: " + message);
    if (System.getenv("KEEL_DEBUG") != null) {
      e.printStackTrace(err);
    }
    err.flush();
    return 1;
  }

  /** The version in the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Keel.class.getPackage().getImplementationVersion();
      return new String[] {"keel " + (v == null ? "dev" : v)};
    }
  }
}
