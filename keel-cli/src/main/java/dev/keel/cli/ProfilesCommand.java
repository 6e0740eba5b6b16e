package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.access.Access;
import dev.keel.access.Principal;
import dev.keel.access.Role;
import dev.keel.core.Json;
import dev.keel.core.Problem;
import dev.keel.core.ValidationException;
import dev.keel.store.ContributorRecord;
import dev.keel.store.ProfileRecord;
import dev.keel.store.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code keel profiles ...}: profiles (one namespace each), their owners and contributors. Works on
 * the data folder directly, as its administrator, whether or not a server runs on it.
 */
@Command(
    name = "profiles",
    mixinStandardHelpOptions = true,
    description = "Profiles: namespaces with an owner, contributors and a resource quota.",
    subcommands = {
      ProfilesCommand.Create.class,
      ProfilesCommand.Apply.class,
      ProfilesCommand.AddContributor.class,
      ProfilesCommand.RemoveContributor.class,
      ProfilesCommand.ListProfiles.class,
      ProfilesCommand.Delete.class
    })
final class ProfilesCommand implements Runnable {
  /** Who the CLI acts as: the administrator of the data folder it was given. */
  static final Principal LOCAL_ADMIN = new Principal("keel-admin", true);

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  static Map<String, String> quota(List<String> pairs) {
    Map<String, String> quota = new LinkedHashMap<>();
    for (String q : pairs) {
      int eq = q.indexOf('=');
      if (eq <= 0) {
        throw new ValidationException(new Problem("--quota " + q, "expected NAME=QUANTITY"));
      }
      quota.put(q.substring(0, eq).strip(), q.substring(eq + 1).strip());
    }
    return quota;
  }

  /** {@code keel profiles create}. */
  @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a profile.")
  static final class Create implements Callable<Integer> {
    @Parameters(paramLabel = "NAME")
    String name;

    @Option(names = "--owner", paramLabel = "USER", required = true)
    String owner;

    @Option(
        names = "--quota",
        paramLabel = "NAME=QUANTITY",
        description = "cpu, memory or pods (tasks at once), as Kubernetes quantities; repeatable.")
    List<String> quota = new ArrayList<>();

    @Mixin StoreOptions storeOptions;

    @Override
    public Integer call() {
      try (Store store = storeOptions.open()) {
        new Access(store, Clock.systemUTC()).createProfile(name, owner, quota(quota));
      }
      System.out.println("profile " + name + " created, owned by " + owner);
      return 0;
    }
  }

  /**
   * {@code keel profiles apply -f}: Kubeflow's own Profile YAML ({@code kubeflow.org/v1}), read
   * strictly: {@code metadata.name}, {@code spec.owner} and {@code spec.resourceQuotaSpec.hard}.
   */
  @Command(
      name = "apply",
      mixinStandardHelpOptions = true,
      description = "Create a profile from Kubeflow's Profile YAML (kubeflow.org/v1).")
  static final class Apply implements Callable<Integer> {
    @Option(names = "-f", paramLabel = "FILE", required = true)
    Path file;

    @Mixin StoreOptions storeOptions;

    @Override
    public Integer call() throws IOException {
      JsonNode doc = Json.yaml().readTree(Files.readString(file));
      List<Problem> problems = new ArrayList<>();
      String where = file + ": ";
      unknown(doc, Set.of("apiVersion", "kind", "metadata", "spec", "status"), "", problems);
      String api = doc.path("apiVersion").asText();
      if (!api.equals("kubeflow.org/v1") && !api.equals("kubeflow.org/v1beta1")) {
        problems.add(Problem.at("apiVersion", "'%s' is not kubeflow.org/v1", api));
      }
      if (!doc.path("kind").asText().equals("Profile")) {
        problems.add(Problem.at("kind", "'%s' is not Profile", doc.path("kind").asText()));
      }
      JsonNode spec = doc.path("spec");
      unknown(spec, Set.of("owner", "resourceQuotaSpec", "plugins"), "spec", problems);
      JsonNode owner = spec.path("owner");
      if (!owner.path("kind").asText("User").equals("User")) {
        problems.add(Problem.at("spec.owner.kind", "only User owners are supported"));
      }
      if (spec.path("plugins").size() > 0) {
        problems.add(
            Problem.at(
                "spec.plugins",
                "cloud identity plugins (WorkloadIdentity, AwsIamForServiceAccount) need Kubernetes"));
      }
      Map<String, String> quota = new LinkedHashMap<>();
      JsonNode rq = spec.path("resourceQuotaSpec");
      unknown(rq, Set.of("hard"), "spec.resourceQuotaSpec", problems);
      rq.path("hard").fields().forEachRemaining(e -> quota.put(e.getKey(), e.getValue().asText()));
      if (!problems.isEmpty()) {
        throw new ValidationException(
            problems.stream().map(p -> new Problem(where + p.path(), p.reason())).toList());
      }
      String name = doc.path("metadata").path("name").asText();
      try (Store store = storeOptions.open()) {
        new Access(store, Clock.systemUTC())
            .createProfile(name, owner.path("name").asText(), quota);
      }
      System.out.println("profile " + name + " created, owned by " + owner.path("name").asText());
      return 0;
    }

    private static void unknown(JsonNode n, Set<String> known, String at, List<Problem> out) {
      for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!known.contains(f)) {
          out.add(Problem.at(at.isEmpty() ? f : at + "." + f, "unknown field"));
        }
      }
    }
  }

  /** {@code keel profiles add-contributor}. */
  @Command(
      name = "add-contributor",
      mixinStandardHelpOptions = true,
      description = "Give a user a role (view, edit, admin) in a profile's namespace.")
  static final class AddContributor implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PROFILE")
    String profile;

    @Parameters(index = "1", paramLabel = "USER")
    String user;

    @Option(names = "--role", paramLabel = "view|edit|admin", required = true)
    String role;

    @Mixin StoreOptions storeOptions;

    @Override
    public Integer call() {
      Role r = Role.parse("--role", role);
      try (Store store = storeOptions.open()) {
        new Access(store, Clock.systemUTC()).addContributor(LOCAL_ADMIN, profile, user, r);
      }
      System.out.println(user + " is now " + r.id() + " in " + profile);
      return 0;
    }
  }

  /** {@code keel profiles remove-contributor}. */
  @Command(
      name = "remove-contributor",
      mixinStandardHelpOptions = true,
      description = "Take a user's role in a profile's namespace away.")
  static final class RemoveContributor implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PROFILE")
    String profile;

    @Parameters(index = "1", paramLabel = "USER")
    String user;

    @Mixin StoreOptions storeOptions;

    @Override
    public Integer call() {
      try (Store store = storeOptions.open()) {
        new Access(store, Clock.systemUTC()).removeContributor(LOCAL_ADMIN, profile, user);
      }
      System.out.println(user + " removed from " + profile);
      return 0;
    }
  }

  /** {@code keel profiles list}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List profiles with their owners and contributors.")
  static final class ListProfiles implements Callable<Integer> {
    @Mixin StoreOptions storeOptions;

    @Override
    public Integer call() {
      try (Store store = storeOptions.open()) {
        Access access = new Access(store, Clock.systemUTC());
        System.out.printf("%-24s  %-24s  %-24s  %s%n", "PROFILE", "OWNER", "QUOTA", "CONTRIBUTORS");
        for (ProfileRecord p : access.profiles()) {
          List<String> who = new ArrayList<>();
          for (ContributorRecord c : access.contributors(p.name())) {
            who.add(c.user() + " (" + c.role() + ")");
          }
          String quota = p.quota().equals("{}") ? "-" : p.quota();
          System.out.printf(
              "%-24s  %-24s  %-24s  %s%n", p.name(), p.owner(), quota, String.join(", ", who));
        }
      }
      return 0;
    }
  }

  /** {@code keel profiles delete}. */
  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a profile.")
  static final class Delete implements Callable<Integer> {
    @Parameters(paramLabel = "NAME")
    String name;

    @Mixin StoreOptions storeOptions;

    @Override
    public Integer call() {
      try (Store store = storeOptions.open()) {
        Access access = new Access(store, Clock.systemUTC());
        if (access.getProfile(name).isEmpty()) {
          throw new ValidationException(new Problem("NAME", "no profile '" + name + "'"));
        }
        access.deleteProfile(LOCAL_ADMIN, name);
      }
      System.out.println("profile " + name + " deleted");
      return 0;
    }
  }
}
