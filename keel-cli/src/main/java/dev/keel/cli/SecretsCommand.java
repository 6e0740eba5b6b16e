package dev.keel.cli;

import dev.keel.core.Problem;
import dev.keel.core.ValidationException;
import dev.keel.store.Store;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code keel secrets ...}: the secrets tasks read through kfp-kubernetes secretAsEnv. */
@Command(
    name = "secrets",
    mixinStandardHelpOptions = true,
    description = "Secrets that pipeline tasks read as environment variables (secretAsEnv).",
    subcommands = {
      SecretsCommand.Create.class,
      SecretsCommand.ListSecrets.class,
      SecretsCommand.Delete.class
    })
final class SecretsCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** {@code keel secrets create}. */
  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = "Create a secret, or replace its keys and values.")
  static final class Create implements Callable<Integer> {
    @Parameters(paramLabel = "NAME")
    String name;

    @Option(
        names = "--from-literal",
        paramLabel = "KEY=VALUE",
        required = true,
        description = "A key and its value; repeat for more.")
    List<String> literals;

    @Option(names = "--namespace", paramLabel = "NS", defaultValue = "default")
    String namespace;

    @Mixin StoreOptions storeOptions;

    @Override
    public Integer call() {
      Map<String, String> data = new LinkedHashMap<>();
      for (String l : literals) {
        int eq = l.indexOf('=');
        if (eq <= 0) {
          throw new ValidationException(new Problem("--from-literal " + l, "expected KEY=VALUE"));
        }
        data.put(l.substring(0, eq), l.substring(eq + 1));
      }
      try (Store store = storeOptions.open()) {
        store.secrets().put(namespace, name, data, Instant.now());
      }
      System.out.println(
          "secret "
              + name
              + " saved in namespace "
              + namespace
              + " ("
              + data.size()
              + (data.size() == 1 ? " key)" : " keys)"));
      return 0;
    }
  }

  /** {@code keel secrets list}. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "List secret names.")
  static final class ListSecrets implements Callable<Integer> {
    @Option(names = "--namespace", paramLabel = "NS", defaultValue = "default")
    String namespace;

    @Mixin StoreOptions storeOptions;

    @Override
    public Integer call() {
      try (Store store = storeOptions.open()) {
        store.secrets().list(namespace).forEach(System.out::println);
      }
      return 0;
    }
  }

  /** {@code keel secrets delete}. */
  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a secret.")
  static final class Delete implements Callable<Integer> {
    @Parameters(paramLabel = "NAME")
    String name;

    @Option(names = "--namespace", paramLabel = "NS", defaultValue = "default")
    String namespace;

    @Mixin StoreOptions storeOptions;

    @Override
    public Integer call() {
      try (Store store = storeOptions.open()) {
        if (!store.secrets().delete(namespace, name)) {
          throw new ValidationException(
              new Problem("NAME", "no secret '" + name + "' in namespace '" + namespace + "'"));
        }
      }
      System.out.println("secret " + name + " deleted");
      return 0;
    }
  }
}
