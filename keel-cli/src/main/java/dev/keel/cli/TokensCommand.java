package dev.keel.cli;

import dev.keel.access.Access;
import dev.keel.store.ApiTokenRecord;
import dev.keel.store.Store;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code keel tokens ...}: API tokens for the CLI, the Java SDK and {@code kfp.Client}. */
@Command(
    name = "tokens",
    mixinStandardHelpOptions = true,
    description = "API tokens (HTTP 'Authorization: Bearer <token>') of built-in users.",
    subcommands = {
      TokensCommand.Create.class,
      TokensCommand.ListTokens.class,
      TokensCommand.Revoke.class
    })
final class TokensCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** {@code keel tokens create}. */
  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = "Make a token and print it; it is shown this once only.")
  static final class Create implements Callable<Integer> {
    @Option(names = "--user", paramLabel = "NAME", required = true)
    String user;

    @Option(names = "--description", paramLabel = "TEXT", defaultValue = "")
    String description;

    @Mixin StoreOptions storeOptions;

    @Override
    public Integer call() {
      try (Store store = storeOptions.open()) {
        Access.NewToken t = new Access(store, Clock.systemUTC()).createToken(user, description);
        System.out.println(t.token());
        System.err.println(
            "token " + t.id() + " of " + t.user() + "; keep it: it is not shown again");
      }
      return 0;
    }
  }

  /** {@code keel tokens list}. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "List a user's tokens.")
  static final class ListTokens implements Callable<Integer> {
    @Option(names = "--user", paramLabel = "NAME", required = true)
    String user;

    @Mixin StoreOptions storeOptions;

    @Override
    public Integer call() {
      try (Store store = storeOptions.open()) {
        System.out.printf("%-36s  %-20s  %-20s  %s%n", "ID", "CREATED", "LAST USED", "DESCRIPTION");
        for (ApiTokenRecord t : new Access(store, Clock.systemUTC()).tokens(user)) {
          System.out.printf(
              "%-36s  %-20s  %-20s  %s%n",
              t.id(),
              t.createdAt().toString().substring(0, 19),
              t.lastUsedAt() == null ? "never" : t.lastUsedAt().toString().substring(0, 19),
              t.description());
        }
      }
      return 0;
    }
  }

  /** {@code keel tokens revoke}. */
  @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a token.")
  static final class Revoke implements Callable<Integer> {
    @Option(names = "--user", paramLabel = "NAME", required = true)
    String user;

    @Parameters(paramLabel = "ID")
    String id;

    @Mixin StoreOptions storeOptions;

    @Override
    public Integer call() {
      try (Store store = storeOptions.open()) {
        new Access(store, Clock.systemUTC()).revokeToken(user, id);
      }
      System.out.println("token " + id + " revoked");
      return 0;
    }
  }
}
