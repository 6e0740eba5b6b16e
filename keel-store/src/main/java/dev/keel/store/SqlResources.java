package dev.keel.store;

import static dev.keel.store.SqlRepositories.args;
import static dev.keel.store.SqlRepositories.exec;
import static dev.keel.store.SqlRepositories.instant;
import static dev.keel.store.SqlRepositories.millis;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.mapper.RowMapper;

/** The SQL behind {@link Resources}. */
final class SqlResources implements Resources {
  private final Db db;
  private final SqlRepositories repos;

  SqlResources(Db db, SqlRepositories repos) {
    this.db = db;
    this.repos = repos;
  }

  private static final RowMapper<ResourceRecord> RESOURCE =
      (rs, ctx) ->
          new ResourceRecord(
              rs.getString("kind"),
              rs.getString("namespace"),
              rs.getString("name"),
              rs.getString("uid"),
              rs.getString("owner_uid"),
              rs.getLong("resource_version"),
              rs.getString("document"),
              instant(rs, "created_at"),
              instant(rs, "updated_at"));

  @Override
  public void create(ResourceRecord r) {
    db.with(
        h ->
            exec(
                h,
                "INSERT INTO resources (kind, namespace, name, uid, owner_uid, resource_version,"
                    + " document, created_at, updated_at) VALUES (:k, :ns, :n, :uid, :owner, 1, :doc,"
                    + " :c, :u)",
                args(
                    "k",
                    r.kind(),
                    "ns",
                    r.namespace(),
                    "n",
                    r.name(),
                    "uid",
                    r.uid(),
                    "owner",
                    r.ownerUid(),
                    "doc",
                    r.document(),
                    "c",
                    millis(r.createdAt()),
                    "u",
                    millis(r.updatedAt())),
                r.kind() + " " + r.namespace() + "/" + r.name() + " already exists",
                null));
  }

  @Override
  public Optional<ResourceRecord> get(String kind, String namespace, String name) {
    return repos
        .query(
            "SELECT * FROM resources WHERE kind = :k AND namespace = :ns AND name = :n",
            args("k", kind, "ns", namespace, "n", name),
            RESOURCE)
        .stream()
        .findFirst();
  }

  @Override
  public List<ResourceRecord> list(String kind, String namespace) {
    return namespace == null
        ? repos.query(
            "SELECT * FROM resources WHERE kind = :k ORDER BY created_at, name",
            args("k", kind),
            RESOURCE)
        : repos.query(
            "SELECT * FROM resources WHERE kind = :k AND namespace = :ns ORDER BY created_at, name",
            args("k", kind, "ns", namespace),
            RESOURCE);
  }

  @Override
  public List<ResourceRecord> owned(String ownerUid) {
    return repos.query(
        "SELECT * FROM resources WHERE owner_uid = :o ORDER BY created_at, name",
        args("o", ownerUid),
        RESOURCE);
  }

  @Override
  public long update(
      String kind,
      String namespace,
      String name,
      long expectedVersion,
      String document,
      Instant now) {
    int n =
        db.with(
            h ->
                exec(
                    h,
                    "UPDATE resources SET document = :doc, resource_version = resource_version + 1,"
                        + " updated_at = :u WHERE kind = :k AND namespace = :ns AND name = :n"
                        + " AND resource_version = :v",
                    args(
                        "doc",
                        document,
                        "u",
                        millis(now),
                        "k",
                        kind,
                        "ns",
                        namespace,
                        "n",
                        name,
                        "v",
                        expectedVersion),
                    null,
                    null));
    if (n == 0) {
      throw new ConflictException(
          kind + " " + namespace + "/" + name + " changed since version " + expectedVersion);
    }
    return expectedVersion + 1;
  }

  @Override
  public boolean delete(String kind, String namespace, String name) {
    Optional<ResourceRecord> r = get(kind, namespace, name);
    if (r.isEmpty()) {
      return false;
    }
    return db.with(
        h ->
            h.inTransaction(
                tx -> {
                  exec(
                      tx,
                      "DELETE FROM observation_logs WHERE trial_uid = :uid OR trial_uid IN"
                          + " (SELECT uid FROM resources WHERE owner_uid = :uid)",
                      args("uid", r.get().uid()),
                      null,
                      null);
                  exec(
                      tx,
                      "DELETE FROM resources WHERE owner_uid = :o",
                      args("o", r.get().uid()),
                      null,
                      null);
                  return exec(
                          tx,
                          "DELETE FROM resources WHERE uid = :uid",
                          args("uid", r.get().uid()),
                          null,
                          null)
                      == 1;
                }));
  }

  private static final RowMapper<ObservationRecord> OBSERVATION =
      (rs, ctx) ->
          new ObservationRecord(
              rs.getString("metric_name"),
              rs.getLong("step"),
              rs.getString("value"),
              instant(rs, "time"));

  @Override
  public void observe(String uid, List<ObservationRecord> points) {
    if (points.isEmpty()) {
      return;
    }
    db.with(
        h ->
            h.inTransaction(
                tx -> {
                  for (ObservationRecord p : points) {
                    exec(
                        tx,
                        "INSERT INTO observation_logs (trial_uid, metric_name, step, value, time)"
                            + " VALUES (:uid, :m, :s, :v, :t)",
                        args(
                            "uid",
                            uid,
                            "m",
                            p.metricName(),
                            "s",
                            p.step(),
                            "v",
                            p.value(),
                            "t",
                            millis(p.time())),
                        null,
                        null);
                  }
                  return null;
                }));
  }

  @Override
  public List<ObservationRecord> observations(String uid) {
    return repos.query(
        "SELECT * FROM observation_logs WHERE trial_uid = :uid ORDER BY seq",
        args("uid", uid),
        OBSERVATION);
  }

  @Override
  public void clearObservations(String uid) {
    db.with(
        h ->
            exec(
                h,
                "DELETE FROM observation_logs WHERE trial_uid = :uid",
                args("uid", uid),
                null,
                null));
  }
}
