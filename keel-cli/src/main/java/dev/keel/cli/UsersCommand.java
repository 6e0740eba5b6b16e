package dev.keel.cli;

import dev.keel.access.Access;
import dev.keel.core.Problem;
import dev.keel.core.ValidationException;
import dev.keel.store.Store;
import dev.keel.store.UserRecord;
import java.io.ByteArrayOutputStream;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code keel users ...}: Keel's built-in users. Works on the data folder directly, whether or not
 * a server runs on it; whoever may write that folder administers it.
 */
@Command(
    name = "users",
    mixinStandardHelpOptions = true,
    description = "Built-in users, who log in to the dashboard and own API tokens.",
    subcommands = {
      UsersCommand.Add.class,
      UsersCommand.Passwd.class,
      UsersCommand.Remove.class,
      UsersCommand.ListUsers.class
    })
final class UsersCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** The new password: from standard input with {@code --password-stdin}, else asked twice. */
  static char[] password(boolean fromStdin, InputStream in) {
    if (fromStdin) {
      try {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        in.transferTo(buf);
        String text = buf.toString(StandardCharsets.UTF_8);
        if (text.endsWith("\n")) {
          text = text.substring(0, text.length() - (text.endsWith("\r\n") ? 2 : 1));
        }
        return text.toCharArray();
      } catch (IOException e) {
        throw new ValidationException(
            new Problem("--password-stdin", "cannot read standard input: " + e.getMessage()));
      }
    }
    Console console = System.console();
    if (console == null) {
      throw new ValidationException(
          new Problem("--password-stdin", "give the password on standard input"));
    }
    char[] first = console.readPassword("password: ");
    char[] again = console.readPassword("again: ");
    if (first == null || !Arrays.equals(first, again)) {
      throw new ValidationException(new Problem("password", "the two passwords differ"));
    }
    return first;
  }

  /** {@code keel users add}. */
  @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a user.")
  static final class Add implements Callable<Integer> {
    @Parameters(paramLabel = "NAME")
    String name;

    @Option(names = "--password-stdin", description = "Read the password from standard input.")
    boolean passwordStdin;

    @Option(names = "--cluster-admin", description = "May act on every namespace.")
    boolean clusterAdmin;

    @Mixin StoreOptions storeOptions;

    @Override
    public Integer call() {
      char[] password = password(passwordStdin, System.in);
      try (Store store = storeOptions.open()) {
        UserRecord u = new Access(store, Clock.systemUTC()).addUser(name, password, clusterAdmin);
        System.out.println(
            "user " + u.name() + " added" + (clusterAdmin ? " (cluster admin)" : ""));
      } finally {
        Arrays.fill(password, '\0');
      }
      return 0;
    }
  }

  /** {@code keel users passwd}. */
  @Command(name = "passwd", mixinStandardHelpOptions = true, description = "Set a password.")
  static final class Passwd implements Callable<Integer> {
    @Parameters(paramLabel = "NAME")
    String name;

    @Option(names = "--password-stdin", description = "Read the password from standard input.")
    boolean passwordStdin;

    @Mixin StoreOptions storeOptions;

    @Override
    public Integer call() {
      char[] password = password(passwordStdin, System.in);
      try (Store store = storeOptions.open()) {
        new Access(store, Clock.systemUTC()).setPassword(name, password);
        System.out.println("password of " + name + " changed");
      } finally {
        Arrays.fill(password, '\0');
      }
      return 0;
    }
  }

  /** {@code keel users remove}. */
  @Command(
      name = "remove",
      mixinStandardHelpOptions = true,
      description = "Remove a user and their API tokens.")
  static final class Remove implements Callable<Integer> {
    @Parameters(paramLabel = "NAME")
    String name;

    @Mixin StoreOptions storeOptions;

    @Override
    public Integer call() {
      try (Store store = storeOptions.open()) {
        new Access(store, Clock.systemUTC()).removeUser(name);
      }
      System.out.println("user " + name + " removed");
      return 0;
    }
  }

  /** {@code keel users list}. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "List users.")
  static final class ListUsers implements Callable<Integer> {
    @Mixin StoreOptions storeOptions;

    @Override
    public Integer call() {
      try (Store store = storeOptions.open()) {
        for (UserRecord u : store.users().list()) {
          System.out.println(u.name() + (u.clusterAdmin() ? "  (cluster admin)" : ""));
        }
      }
      return 0;
    }
  }
}
