package dev.keel.store;

import static dev.keel.store.SqlRepositories.args;
import static dev.keel.store.SqlRepositories.exec;
import static dev.keel.store.SqlRepositories.instant;
import static dev.keel.store.SqlRepositories.millis;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.mapper.RowMapper;

/** The SQL behind {@link RecurringRuns}. */
final class SqlRecurringRuns implements RecurringRuns {
  private final Db db;
  private final SqlRepositories repos;

  SqlRecurringRuns(Db db, SqlRepositories repos) {
    this.db = db;
    this.repos = repos;
  }

  private static Long longOrNull(ResultSet rs, String col) throws SQLException {
    long v = rs.getLong(col);
    return rs.wasNull() ? null : v;
  }

  private static final RowMapper<RecurringRunRecord> RECURRING =
      (rs, ctx) ->
          new RecurringRunRecord(
              rs.getString("id"),
              rs.getString("namespace"),
              rs.getString("experiment_id"),
              rs.getString("display_name"),
              rs.getString("description"),
              rs.getString("pipeline_version_id"),
              rs.getString("pipeline_spec"),
              rs.getString("runtime_config"),
              rs.getString("cron"),
              longOrNull(rs, "interval_seconds"),
              instant(rs, "start_time"),
              instant(rs, "end_time"),
              rs.getInt("max_concurrency"),
              rs.getBoolean("no_catchup"),
              rs.getBoolean("enabled"),
              rs.getString("time_zone"),
              instant(rs, "created_at"),
              instant(rs, "updated_at"),
              instant(rs, "last_scheduled_at"),
              rs.getLong("fires"));

  @Override
  public void insert(RecurringRunRecord r) {
    db.with(
        h ->
            exec(
                h,
                "INSERT INTO recurring_runs (id, namespace, experiment_id, display_name, description,"
                    + " pipeline_version_id, pipeline_spec, runtime_config, cron, interval_seconds,"
                    + " start_time, end_time, max_concurrency, no_catchup, enabled, time_zone,"
                    + " created_at, updated_at, last_scheduled_at, fires) VALUES (:id, :ns, :exp,"
                    + " :dn, :d, :pv, :spec, :rc, :cron, :iv, :st, :et, :mc, :nc, :en, :tz, :c, :u,"
                    + " :ls, :f)",
                args(
                    "id",
                    r.id(),
                    "ns",
                    r.namespace(),
                    "exp",
                    r.experimentId(),
                    "dn",
                    r.displayName(),
                    "d",
                    r.description(),
                    "pv",
                    r.pipelineVersionId(),
                    "spec",
                    r.pipelineSpec(),
                    "rc",
                    r.runtimeConfig(),
                    "cron",
                    r.cron(),
                    "iv",
                    r.intervalSeconds(),
                    "st",
                    millis(r.startTime()),
                    "et",
                    millis(r.endTime()),
                    "mc",
                    r.maxConcurrency(),
                    "nc",
                    r.noCatchup(),
                    "en",
                    r.enabled(),
                    "tz",
                    r.timeZone(),
                    "c",
                    millis(r.createdAt()),
                    "u",
                    millis(r.updatedAt()),
                    "ls",
                    millis(r.lastScheduledAt()),
                    "f",
                    r.fires()),
                "recurring run " + r.id() + " already exists",
                null));
  }

  @Override
  public Optional<RecurringRunRecord> get(String id) {
    return repos
        .query("SELECT * FROM recurring_runs WHERE id = :id", args("id", id), RECURRING)
        .stream()
        .findFirst();
  }

  @Override
  public Page<RecurringRunRecord> list(
      String namespace, String experimentId, int pageSize, String pageToken) {
    List<String> where = new ArrayList<>();
    Map<String, Object> params = new java.util.LinkedHashMap<>();
    if (namespace != null) {
      where.add("namespace = :ns");
      params.put("ns", namespace);
    }
    if (experimentId != null) {
      where.add("experiment_id = :exp");
      params.put("exp", experimentId);
    }
    return repos.page(
        "recurring_runs",
        String.join(" AND ", where),
        params,
        pageSize,
        pageToken,
        RECURRING,
        RecurringRunRecord::createdAt,
        RecurringRunRecord::id);
  }

  @Override
  public List<RecurringRunRecord> listEnabled() {
    return repos.query(
        "SELECT * FROM recurring_runs WHERE enabled = :t ORDER BY created_at, id",
        args("t", true),
        RECURRING);
  }

  @Override
  public boolean setEnabled(String id, boolean enabled, Instant now) {
    return db.with(
            h ->
                exec(
                    h,
                    "UPDATE recurring_runs SET enabled = :e, updated_at = :u WHERE id = :id",
                    args("e", enabled, "u", millis(now), "id", id),
                    null,
                    null))
        == 1;
  }

  @Override
  public boolean delete(String id) {
    return db.with(
        h ->
            h.inTransaction(
                tx -> {
                  exec(
                      tx,
                      "DELETE FROM recurring_run_fires WHERE recurring_run_id = :id",
                      args("id", id),
                      null,
                      null);
                  return exec(
                          tx,
                          "DELETE FROM recurring_runs WHERE id = :id",
                          args("id", id),
                          null,
                          null)
                      == 1;
                }));
  }

  @Override
  public boolean claimFire(String id, Instant scheduledAt, long index, Instant now) {
    return db.with(
        h ->
            h.inTransaction(
                tx -> {
                  int claimed =
                      exec(
                          tx,
                          "INSERT INTO recurring_run_fires (recurring_run_id, scheduled_at,"
                              + " fire_index, run_id, fired_at) VALUES (:id, :at, :i, NULL, :now)"
                              + " ON CONFLICT (recurring_run_id, scheduled_at) DO NOTHING",
                          args("id", id, "at", millis(scheduledAt), "i", index, "now", millis(now)),
                          null,
                          "no recurring run " + id);
                  if (claimed == 0) {
                    return false;
                  }
                  exec(
                      tx,
                      "UPDATE recurring_runs SET last_scheduled_at = :at, fires = fires + 1"
                          + " WHERE id = :id AND (last_scheduled_at IS NULL OR last_scheduled_at < :at)",
                      args("at", millis(scheduledAt), "id", id),
                      null,
                      null);
                  return true;
                }));
  }

  @Override
  public void setFireRun(String id, Instant scheduledAt, String runId) {
    db.with(
        h ->
            exec(
                h,
                "UPDATE recurring_run_fires SET run_id = :run WHERE recurring_run_id = :id"
                    + " AND scheduled_at = :at",
                args("run", runId, "id", id, "at", millis(scheduledAt)),
                null,
                null));
  }

  @Override
  public List<Fire> unfinishedFires() {
    return repos.query(
        "SELECT * FROM recurring_run_fires WHERE run_id IS NULL ORDER BY scheduled_at",
        Map.of(),
        (rs, ctx) ->
            new Fire(
                rs.getString("recurring_run_id"),
                instant(rs, "scheduled_at"),
                rs.getLong("fire_index"),
                rs.getString("run_id")));
  }

  @Override
  public int activeRuns(String id) {
    return repos
        .query(
            "SELECT COUNT(*) AS n FROM runs WHERE recurring_run_id = :id"
                + " AND state IN ('PENDING', 'RUNNING', 'CANCELING')",
            args("id", id),
            (rs, ctx) -> rs.getInt("n"))
        .get(0);
  }
}
