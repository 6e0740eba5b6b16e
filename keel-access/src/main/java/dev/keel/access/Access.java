package dev.keel.access;

import com.password4j.Password;
import dev.keel.core.Ids;
import dev.keel.core.Json;
import dev.keel.core.Problem;
import dev.keel.core.Quantities;
import dev.keel.core.ValidationException;
import dev.keel.store.ApiTokenRecord;
import dev.keel.store.ContributorRecord;
import dev.keel.store.NotFoundException;
import dev.keel.store.ProfileRecord;
import dev.keel.store.Store;
import dev.keel.store.UserRecord;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Who may use Keel and where: built-in users (Argon2id password hashes), their API tokens (kept as
 * SHA-256 hashes, shown once), profiles (one namespace each, with an owner and a resource quota)
 * and contributors in roles {@code view}, {@code edit} and {@code admin}, with Kubeflow's access
 * management semantics. The server asks {@link #check} on every route; the CLI, which works on the
 * data folder directly and so acts with its owner's rights, calls the rest.
 */
public final class Access {
  /** A user name: a login or an e-mail address, as identity providers send them. */
  private static final Pattern USER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@+-]{0,252}");

  /** A profile name is a namespace name: an RFC 1123 label. */
  private static final Pattern PROFILE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  /** Quota keys as Kubernetes names them; {@code pods} bounds the tasks running at once. */
  private static final Set<String> QUOTA_KEYS =
      Set.of(
          "cpu",
          "requests.cpu",
          "limits.cpu",
          "memory",
          "requests.memory",
          "limits.memory",
          "pods",
          "nvidia.com/gpu",
          "requests.nvidia.com/gpu");

  static final int MIN_PASSWORD = 8;
  static final String TOKEN_PREFIX = "keel_";

  private final Store store;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  public Access(Store store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  // ------------------------------------------------------------------ users

  /** Adds a built-in user with a password. */
  public UserRecord addUser(String name, char[] password, boolean clusterAdmin) {
    checkUser("name", name);
    checkPassword(password);
    UserRecord u = new UserRecord(name, hash(password), clusterAdmin, clock.instant());
    store.users().insert(u);
    return u;
  }

  /** Sets a user's password. */
  public void setPassword(String name, char[] password) {
    checkPassword(password);
    if (!store.users().setPasswordHash(name, hash(password))) {
      throw new NotFoundException("no user '" + name + "'");
    }
  }

  /** Removes a user and their tokens; their roles in profiles stay until removed. */
  public void removeUser(String name) {
    if (!store.users().delete(name)) {
      throw new NotFoundException("no user '" + name + "'");
    }
  }

  /** The principal for a name and password, or empty when they do not match a user. */
  public Optional<Principal> login(String name, char[] password) {
    Optional<UserRecord> u = store.users().get(name);
    if (u.isEmpty() || u.get().passwordHash() == null) {
      hash(password); // the same work as a check, so a wrong name takes as long as a wrong password
      return Optional.empty();
    }
    boolean ok = Password.check(new String(password), u.get().passwordHash()).withArgon2();
    return ok ? Optional.of(principal(u.get())) : Optional.empty();
  }

  /** Whether {@code user} is a built-in user with cluster-wide rights. */
  public boolean isClusterAdmin(String user) {
    return store.users().get(user).map(UserRecord::clusterAdmin).orElse(false);
  }

  // ------------------------------------------------------------------ tokens

  /** A token as handed out, the only time its text is seen. */
  public record NewToken(String id, String user, String token) {}

  /** Makes an API token for a built-in user. */
  public NewToken createToken(String user, String description) {
    if (store.users().get(user).isEmpty()) {
      throw new NotFoundException("no user '" + user + "'");
    }
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    String token = TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    String id = Ids.newId();
    store
        .users()
        .insertToken(
            new ApiTokenRecord(
                id,
                user,
                sha256(token),
                description == null ? "" : description,
                clock.instant(),
                null));
    return new NewToken(id, user, token);
  }

  /** The principal a bearer token stands for, or empty for an unknown token. */
  public Optional<Principal> authenticate(String token) {
    if (token == null || !token.startsWith(TOKEN_PREFIX)) {
      return Optional.empty();
    }
    Optional<ApiTokenRecord> t = store.users().tokenByHash(sha256(token));
    if (t.isEmpty()) {
      return Optional.empty();
    }
    Optional<UserRecord> u = store.users().get(t.get().user());
    if (u.isEmpty()) {
      return Optional.empty();
    }
    store.users().tokenUsed(t.get().id(), clock.instant());
    return Optional.of(principal(u.get()));
  }

  public List<ApiTokenRecord> tokens(String user) {
    return store.users().tokens(user);
  }

  public void revokeToken(String user, String id) {
    if (!store.users().deleteToken(user, id)) {
      throw new NotFoundException("user '" + user + "' has no token " + id);
    }
  }

  // ------------------------------------------------------------------ profiles

  /**
   * Makes a profile, its namespace owned by {@code owner}, with a quota ({@code cpu}, {@code
   * memory}, {@code pods} and their {@code requests.}/{@code limits.} forms, values as Kubernetes
   * quantities).
   */
  public ProfileRecord createProfile(String name, String owner, Map<String, String> quota) {
    List<Problem> problems = new ArrayList<>();
    if (name == null || !PROFILE.matcher(name).matches()) {
      problems.add(
          Problem.at(
              "name",
              "'%s' is not a profile name (lower-case letters, digits and '-', at most 63)",
              name));
    }
    if (owner == null || !USER.matcher(owner).matches()) {
      problems.add(Problem.at("owner", "'%s' is not a user name", owner));
    }
    String quotaJson = quotaJson(quota, problems);
    if (!problems.isEmpty()) {
      throw new ValidationException(problems);
    }
    ProfileRecord p = new ProfileRecord(name, owner, quotaJson, clock.instant());
    store.profiles().insert(p);
    return p;
  }

  /** Replaces a profile's quota; {@code by} must be its owner or a cluster admin. */
  public void setQuota(Principal by, String profile, Map<String, String> quota) {
    ProfileRecord p = profile(profile);
    if (!by.clusterAdmin() && !by.name().equals(p.owner())) {
      throw denied(by, "change the quota of", profile);
    }
    List<Problem> problems = new ArrayList<>();
    String json = quotaJson(quota, problems);
    if (!problems.isEmpty()) {
      throw new ValidationException(problems);
    }
    store.profiles().setQuota(profile, json);
  }

  public Optional<ProfileRecord> getProfile(String name) {
    return store.profiles().get(name);
  }

  public List<ProfileRecord> profiles() {
    return store.profiles().list();
  }

  public List<ContributorRecord> contributors(String profile) {
    profile(profile);
    return store.profiles().contributors(profile);
  }

  /** Deletes a profile; {@code by} must be its owner or a cluster admin. */
  public void deleteProfile(Principal by, String profile) {
    check(by, profile, Action.DELETE_PROFILE);
    store.profiles().delete(profile);
  }

  /** Gives {@code user} {@code role} in {@code profile}; {@code by} must be allowed to manage. */
  public void addContributor(Principal by, String profile, String user, Role role) {
    checkUser("user", user);
    check(by, profile, Action.MANAGE_CONTRIBUTORS);
    if (user.equals(profile(profile).owner())) {
      throw new ValidationException(
          List.of(Problem.at("user", "'%s' owns profile '%s' already", user, profile)));
    }
    store.profiles().putContributor(profile, user, role.id(), clock.instant());
  }

  /** Takes {@code user}'s role in {@code profile} away; {@code by} must be allowed to manage. */
  public void removeContributor(Principal by, String profile, String user) {
    check(by, profile, Action.MANAGE_CONTRIBUTORS);
    if (!store.profiles().removeContributor(profile, user)) {
      throw new NotFoundException(
          "'" + user + "' is not a contributor of profile '" + profile + "'");
    }
  }

  /**
   * What a namespace's quota allows at once; {@code null} fields limit nothing.
   *
   * @param cpu cores ({@code cpu}, {@code requests.cpu} or {@code limits.cpu}, the least)
   * @param memoryBytes memory (the least of the three memory keys)
   * @param workloads tasks running at once ({@code pods})
   */
  public record Limits(Double cpu, Long memoryBytes, Integer workloads) {}

  /** The limits of a profile's quota; empty when there is no such profile. */
  public Optional<Limits> limits(String namespace) {
    return store.profiles().get(namespace).map(p -> limitsOf(p.quota()));
  }

  static Limits limitsOf(String quotaJson) {
    Double cpu = null;
    Long memory = null;
    Integer workloads = null;
    for (var it = Json.parse(quotaJson).fields(); it.hasNext(); ) {
      var e = it.next();
      String k = e.getKey();
      String v = e.getValue().asText();
      if (k.endsWith("cpu")) {
        double c = Quantities.cpu(v);
        cpu = cpu == null ? c : Math.min(cpu, c);
      } else if (k.endsWith("memory")) {
        long m = Quantities.bytes(v);
        memory = memory == null ? m : Math.min(memory, m);
      } else if (k.equals("pods")) {
        workloads = Integer.parseInt(v);
      }
    }
    return new Limits(cpu, memory, workloads);
  }

  // ------------------------------------------------------------------ checks

  /**
   * The role {@code user} has in {@code namespace}: the owner's is {@link Role#ADMIN}; empty when
   * they have none (or there is no such profile).
   */
  public Optional<Role> roleOf(String user, String namespace) {
    Optional<ProfileRecord> p = store.profiles().get(namespace);
    if (p.isEmpty()) {
      return Optional.empty();
    }
    if (p.get().owner().equals(user)) {
      return Optional.of(Role.ADMIN);
    }
    return store.profiles().contributors(namespace).stream()
        .filter(c -> c.user().equals(user))
        .findFirst()
        .map(c -> Role.parse("role", c.role()));
  }

  /** Whether {@code who} may do {@code action} in {@code namespace}. */
  public boolean can(Principal who, String namespace, Action action) {
    if (who.clusterAdmin()) {
      return true;
    }
    if (action == Action.DELETE_PROFILE) {
      return store.profiles().get(namespace).map(p -> p.owner().equals(who.name())).orElse(false);
    }
    return roleOf(who.name(), namespace).map(r -> r.allows(action)).orElse(false);
  }

  /** Throws {@link AccessDeniedException} unless {@code who} may do {@code action} there. */
  public void check(Principal who, String namespace, Action action) {
    if (!can(who, namespace, action)) {
      throw denied(who, verb(action), namespace);
    }
  }

  /** The namespaces {@code who} may read, by name: every profile's for a cluster admin. */
  public List<String> namespaces(Principal who) {
    TreeMap<String, Boolean> names = new TreeMap<>();
    for (ProfileRecord p : store.profiles().list()) {
      if (who.clusterAdmin() || p.owner().equals(who.name())) {
        names.put(p.name(), true);
      }
    }
    for (ContributorRecord c : store.profiles().rolesOf(who.name())) {
      names.put(c.profile(), true);
    }
    return List.copyOf(names.keySet());
  }

  // ------------------------------------------------------------------ helpers

  private ProfileRecord profile(String name) {
    return store
        .profiles()
        .get(name)
        .orElseThrow(() -> new NotFoundException("no profile '" + name + "'"));
  }

  private static Principal principal(UserRecord u) {
    return new Principal(u.name(), u.clusterAdmin());
  }

  private static AccessDeniedException denied(Principal who, String what, String namespace) {
    return new AccessDeniedException(
        "user '" + who.name() + "' may not " + what + " namespace '" + namespace + "'");
  }

  private static String verb(Action a) {
    return switch (a) {
      case READ -> "read in";
      case WRITE -> "change anything in";
      case MANAGE_CONTRIBUTORS -> "manage the contributors of";
      case DELETE_PROFILE -> "delete";
    };
  }

  private static void checkUser(String field, String name) {
    if (name == null || !USER.matcher(name).matches()) {
      throw new ValidationException(
          List.of(
              Problem.at(
                  field,
                  "'%s' is not a user name (letters, digits and . _ @ + -, at most 253)",
                  name)));
    }
  }

  private static void checkPassword(char[] password) {
    if (password == null || password.length < MIN_PASSWORD) {
      throw new ValidationException(
          List.of(Problem.at("password", "a password needs at least %d characters", MIN_PASSWORD)));
    }
  }

  private static String hash(char[] password) {
    return Password.hash(new String(password)).addRandomSalt(16).withArgon2().getResult();
  }

  static String sha256(String text) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(d.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String quotaJson(Map<String, String> quota, List<Problem> problems) {
    Map<String, String> sorted = new LinkedHashMap<>();
    if (quota != null) {
      new TreeMap<>(quota)
          .forEach(
              (k, v) -> {
                String path = "resourceQuotaSpec.hard." + k;
                if (!QUOTA_KEYS.contains(k)) {
                  problems.add(
                      Problem.at(
                          path,
                          "unknown quota; use one of %s",
                          String.join(", ", new TreeSet<>(QUOTA_KEYS))));
                  return;
                }
                try {
                  if (k.endsWith("cpu")) {
                    Quantities.cpu(v);
                  } else if (k.endsWith("memory")) {
                    Quantities.bytes(v);
                  } else if (!v.strip().matches("[0-9]+")) {
                    throw new IllegalArgumentException("'" + v + "' is not a whole number");
                  }
                  sorted.put(k, v.strip());
                } catch (IllegalArgumentException e) {
                  problems.add(Problem.at(path, "%s", e.getMessage()));
                }
              });
    }
    return Json.write(sorted);
  }
}
