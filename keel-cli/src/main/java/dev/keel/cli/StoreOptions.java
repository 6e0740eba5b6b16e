package dev.keel.cli;

import dev.keel.access.Access;
import dev.keel.core.Problem;
import dev.keel.core.ValidationException;
import dev.keel.runtime.ImageMap;
import dev.keel.runtime.LocalRuntime;
import dev.keel.runtime.NamespaceQuota;
import dev.keel.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import picocli.CommandLine.Option;

/** Where Keel keeps its state: the options every command that touches the store shares. */
final class StoreOptions {
  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "Keel's data folder (default: $KEEL_HOME, else ~/.keel).")
  Path dataDir;

  @Option(
      names = "--database-url",
      paramLabel = "JDBC_URL",
      description =
          "A PostgreSQL JDBC URL (default: $KEEL_DATABASE_URL, else SQLite in the data folder).")
  String databaseUrl;

  @Option(
      names = "--database-user",
      paramLabel = "USER",
      description = "Database user (default: $KEEL_DATABASE_USER).")
  String databaseUser;

  Path dataDir() {
    if (dataDir != null) {
      return dataDir.toAbsolutePath().normalize();
    }
    String home = System.getenv("KEEL_HOME");
    if (home != null && !home.isBlank()) {
      return Path.of(home).toAbsolutePath().normalize();
    }
    return Path.of(System.getProperty("user.home"), ".keel");
  }

  /** How long a namespace's quota is used before it is read again. */
  private static final long QUOTA_TTL_NANOS = 5_000_000_000L;

  private record Cached(NamespaceQuota quota, long at) {}

  Store open() {
    String url = databaseUrl != null ? databaseUrl : System.getenv("KEEL_DATABASE_URL");
    if (url != null && !url.isBlank()) {
      String user = databaseUser != null ? databaseUser : System.getenv("KEEL_DATABASE_USER");
      return Store.jdbc(url, user, System.getenv("KEEL_DATABASE_PASSWORD"));
    }
    return Store.sqlite(dataDir().resolve("keel.db"));
  }

  /**
   * The image map: the file given, else {@code <data dir>/images.yaml} when it exists, each on top
   * of the defaults; else the defaults.
   */
  ImageMap imageMap(Path file) {
    if (file != null) {
      return ImageMap.load(file);
    }
    Path user = dataDir().resolve("images.yaml");
    return Files.exists(user) ? ImageMap.load(user) : ImageMap.defaults();
  }

  /**
   * The local runtime, with each namespace's profile quota (read from {@code store}, kept a few
   * seconds) applied at admission.
   */
  LocalRuntime runtime(int parallelism, Path imageMapFile, Store store) {
    if (parallelism < 0) {
      // 0 is what an absent --parallelism reads as: the number of cores
      throw new ValidationException(
          new Problem("--parallelism", "must be at least 1, was " + parallelism));
    }
    Access access = new Access(store, Clock.systemUTC());
    Map<String, Cached> quotas = new ConcurrentHashMap<>();
    Function<String, NamespaceQuota> quota =
        ns -> {
          long now = System.nanoTime();
          Cached c = quotas.get(ns);
          if (c == null || now - c.at() > QUOTA_TTL_NANOS) {
            NamespaceQuota q =
                access
                    .limits(ns)
                    .map(l -> new NamespaceQuota(l.cpu(), l.memoryBytes(), l.workloads()))
                    .orElse(NamespaceQuota.NONE);
            c = new Cached(q, now);
            quotas.put(ns, c);
          }
          return c.quota();
        };
    var b = LocalRuntime.builder().imageMap(imageMap(imageMapFile)).quotas(quota);
    if (parallelism > 0) {
      b.parallelism(parallelism);
    }
    return b.build();
  }
}
