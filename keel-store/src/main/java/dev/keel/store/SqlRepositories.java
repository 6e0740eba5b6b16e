package dev.keel.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.Ids;
import dev.keel.core.Json;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.jdbi.v3.core.statement.Update;

/** The SQL behind every repository; one instance per pool or per transaction. */
final class SqlRepositories implements Tx {
  private final Db db;
  final PipelinesSql pipelines = new PipelinesSql();
  final VersionsSql versions = new VersionsSql();
  final ExperimentsSql experiments = new ExperimentsSql();
  final RunsSql runs = new RunsSql();
  final TasksSql tasks = new TasksSql();
  final ArtifactsSql artifacts = new ArtifactsSql();
  final EventsSql events = new EventsSql();
  final SecretsSql secrets = new SecretsSql();
  final RunEventsSql runEvents = new RunEventsSql();
  final SqlAccess access;
  final SqlRecurringRuns recurring;
  final SqlResources resources;

  SqlRepositories(Db db, Dialect dialect) {
    this.db = db;
    this.access = new SqlAccess(db);
    this.recurring = new SqlRecurringRuns(db, this);
    this.resources = new SqlResources(db, this);
  }

  @Override
  public Pipelines pipelines() {
    return pipelines;
  }

  @Override
  public PipelineVersions versions() {
    return versions;
  }

  @Override
  public Experiments experiments() {
    return experiments;
  }

  @Override
  public Runs runs() {
    return runs;
  }

  @Override
  public Tasks tasks() {
    return tasks;
  }

  @Override
  public Artifacts artifacts() {
    return artifacts;
  }

  @Override
  public Events events() {
    return events;
  }

  @Override
  public Secrets secrets() {
    return secrets;
  }

  @Override
  public RunEvents runEvents() {
    return runEvents;
  }

  @Override
  public Users users() {
    return access.users;
  }

  @Override
  public RecurringRuns recurringRuns() {
    return recurring;
  }

  @Override
  public Resources resources() {
    return resources;
  }

  @Override
  public Profiles profiles() {
    return access.profiles;
  }

  // ------------------------------------------------------------------ helpers

  static Long millis(Instant t) {
    return t == null ? null : t.toEpochMilli();
  }

  static Instant instant(ResultSet rs, String col) throws SQLException {
    long v = rs.getLong(col);
    return rs.wasNull() ? null : Instant.ofEpochMilli(v);
  }

  private static Long longOrNull(ResultSet rs, String col) throws SQLException {
    long v = rs.getLong(col);
    return rs.wasNull() ? null : v;
  }

  /** A unique or primary key violation, in either dialect. */
  private static boolean isUniqueViolation(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage());
      if (m.contains("UNIQUE constraint failed")
          || (t instanceof SQLException s && "23505".equals(s.getSQLState()))) {
        return true;
      }
    }
    return false;
  }

  /** A row that references a missing parent (run, task, pipeline), in either dialect. */
  private static boolean isForeignKeyViolation(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage());
      if (m.contains("FOREIGN KEY constraint failed")
          || (t instanceof SQLException s && "23503".equals(s.getSQLState()))) {
        return true;
      }
    }
    return false;
  }

  private int exec(String sql, Map<String, Object> params, String conflictMessage) {
    return exec(sql, params, conflictMessage, null);
  }

  /**
   * Runs one statement; a unique violation becomes a {@link ConflictException} with {@code
   * conflictMessage}, a foreign key violation a {@link NotFoundException} with {@code
   * missingMessage} (when given).
   */
  private int exec(
      String sql, Map<String, Object> params, String conflictMessage, String missingMessage) {
    return db.with(h -> exec(h, sql, params, conflictMessage, missingMessage));
  }

  static int exec(
      Handle h,
      String sql,
      Map<String, Object> params,
      String conflictMessage,
      String missingMessage) {
    try {
      return update(h, sql, params);
    } catch (UnableToExecuteStatementException e) {
      if (conflictMessage != null && isUniqueViolation(e)) {
        throw new ConflictException(conflictMessage);
      }
      if (missingMessage != null && isForeignKeyViolation(e)) {
        throw new NotFoundException(missingMessage);
      }
      throw e;
    }
  }

  private static int update(Handle h, String sql, Map<String, Object> params) {
    Integer plain = PlainUpdate.run(h, sql, params);
    if (plain != null) {
      return plain;
    }
    Update u = h.createUpdate(sql);
    params.forEach(u::bind);
    return u.execute();
  }

  /**
   * Runs several statements as one unit: in the caller's transaction when there is one, else in a
   * transaction of their own.
   */
  private <T> T atomically(Function<Handle, T> work) {
    return db.with(h -> h.inTransaction(work::apply));
  }

  <T> List<T> query(String sql, Map<String, Object> params, RowMapper<T> mapper) {
    return db.with(
        h -> {
          Query q = h.createQuery(sql);
          params.forEach(q::bind);
          return q.map(mapper).list();
        });
  }

  private <T> Optional<T> one(String sql, Map<String, Object> params, RowMapper<T> mapper) {
    List<T> rows = query(sql, params, mapper);
    return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
  }

  static Map<String, Object> args(Object... kv) {
    java.util.LinkedHashMap<String, Object> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  /** Keyset pagination over (created_at DESC, id DESC): the token names the last row shown. */
  <T> Page<T> page(
      String table,
      String where,
      Map<String, Object> params,
      int pageSize,
      String pageToken,
      RowMapper<T> mapper,
      Function<T, Instant> createdAt,
      Function<T, String> id) {
    int size = pageSize <= 0 ? 20 : Math.min(pageSize, 1000);
    String filter = where.isEmpty() ? "" : " WHERE " + where;
    long total =
        db.with(
            h -> {
              Query q = h.createQuery("SELECT COUNT(*) FROM " + table + filter);
              params.forEach(q::bind);
              return q.mapTo(Long.class).one();
            });
    Map<String, Object> p = new java.util.LinkedHashMap<>(params);
    String keyset = "";
    if (pageToken != null && !pageToken.isEmpty()) {
      String[] parts = decodeToken(pageToken);
      p.put("tok_created", Long.parseLong(parts[0]));
      p.put("tok_id", parts[1]);
      keyset =
          (where.isEmpty() ? " WHERE " : " AND ") + "(created_at, id) < (:tok_created, :tok_id)";
    }
    p.put("lim", size + 1);
    List<T> rows =
        query(
            "SELECT * FROM "
                + table
                + filter
                + keyset
                + " ORDER BY created_at DESC, id DESC LIMIT :lim",
            p,
            mapper);
    String next = "";
    if (rows.size() > size) {
      rows = new ArrayList<>(rows.subList(0, size));
      T last = rows.get(size - 1);
      next = encodeToken(createdAt.apply(last).toEpochMilli() + "|" + id.apply(last));
    }
    return new Page<>(rows, next, total);
  }

  private static String encodeToken(String s) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String[] decodeToken(String token) {
    try {
      String s = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      String[] parts = s.split("\\|", 2);
      Long.parseLong(parts[0]);
      if (parts.length != 2) {
        throw new IllegalArgumentException();
      }
      return parts;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid page token '" + token + "'");
    }
  }

  // ------------------------------------------------------------------ pipelines

  private static final RowMapper<PipelineRecord> PIPELINE =
      (rs, ctx) ->
          new PipelineRecord(
              rs.getString("id"),
              rs.getString("namespace"),
              rs.getString("name"),
              rs.getString("display_name"),
              rs.getString("description"),
              instant(rs, "created_at"));

  final class PipelinesSql implements Pipelines {
    @Override
    public void insert(PipelineRecord p) {
      exec(
          "INSERT INTO pipelines (id, namespace, name, display_name, description, created_at)"
              + " VALUES (:id, :ns, :name, :dn, :d, :c)",
          args(
              "id",
              p.id(),
              "ns",
              p.namespace(),
              "name",
              p.name(),
              "dn",
              p.displayName(),
              "d",
              p.description(),
              "c",
              millis(p.createdAt())),
          "pipeline '" + p.name() + "' already exists in namespace '" + p.namespace() + "'");
    }

    @Override
    public Optional<PipelineRecord> get(String id) {
      return one("SELECT * FROM pipelines WHERE id = :id", args("id", id), PIPELINE);
    }

    @Override
    public Optional<PipelineRecord> getByName(String namespace, String name) {
      return one(
          "SELECT * FROM pipelines WHERE namespace = :ns AND name = :name",
          args("ns", namespace, "name", name),
          PIPELINE);
    }

    @Override
    public Page<PipelineRecord> list(String namespace, int pageSize, String pageToken) {
      return page(
          "pipelines",
          namespace == null ? "" : "namespace = :ns",
          namespace == null ? Map.of() : args("ns", namespace),
          pageSize,
          pageToken,
          PIPELINE,
          PipelineRecord::createdAt,
          PipelineRecord::id);
    }

    @Override
    public void delete(String id) {
      exec("DELETE FROM pipelines WHERE id = :id", args("id", id), null);
    }
  }

  // ------------------------------------------------------------------ versions

  private static final RowMapper<PipelineVersionRecord> VERSION =
      (rs, ctx) ->
          new PipelineVersionRecord(
              rs.getString("id"),
              rs.getString("pipeline_id"),
              rs.getString("name"),
              rs.getString("display_name"),
              rs.getString("description"),
              rs.getString("pipeline_spec"),
              rs.getString("platform_spec"),
              instant(rs, "created_at"));

  final class VersionsSql implements PipelineVersions {
    @Override
    public void insert(PipelineVersionRecord v) {
      exec(
          "INSERT INTO pipeline_versions (id, pipeline_id, name, display_name, description,"
              + " pipeline_spec, platform_spec, created_at)"
              + " VALUES (:id, :p, :name, :dn, :d, :spec, :plat, :c)",
          args(
              "id",
              v.id(),
              "p",
              v.pipelineId(),
              "name",
              v.name(),
              "dn",
              v.displayName(),
              "d",
              v.description(),
              "spec",
              v.pipelineSpec(),
              "plat",
              v.platformSpec(),
              "c",
              millis(v.createdAt())),
          "pipeline version '" + v.name() + "' already exists in pipeline " + v.pipelineId(),
          "no pipeline " + v.pipelineId());
    }

    @Override
    public Optional<PipelineVersionRecord> get(String id) {
      return one("SELECT * FROM pipeline_versions WHERE id = :id", args("id", id), VERSION);
    }

    @Override
    public Optional<PipelineVersionRecord> latest(String pipelineId) {
      return one(
          "SELECT * FROM pipeline_versions WHERE pipeline_id = :p"
              + " ORDER BY created_at DESC, id DESC LIMIT 1",
          args("p", pipelineId),
          VERSION);
    }

    @Override
    public Page<PipelineVersionRecord> list(String pipelineId, int pageSize, String pageToken) {
      return page(
          "pipeline_versions",
          "pipeline_id = :p",
          args("p", pipelineId),
          pageSize,
          pageToken,
          VERSION,
          PipelineVersionRecord::createdAt,
          PipelineVersionRecord::id);
    }

    @Override
    public void delete(String id) {
      exec("DELETE FROM pipeline_versions WHERE id = :id", args("id", id), null);
    }
  }

  // ------------------------------------------------------------------ experiments

  private static final RowMapper<ExperimentRecord> EXPERIMENT =
      (rs, ctx) ->
          new ExperimentRecord(
              rs.getString("id"),
              rs.getString("namespace"),
              rs.getString("display_name"),
              rs.getString("description"),
              rs.getString("storage_state"),
              instant(rs, "created_at"),
              instant(rs, "last_run_created_at"));

  final class ExperimentsSql implements Experiments {
    @Override
    public void insert(ExperimentRecord e) {
      exec(
          "INSERT INTO experiments (id, namespace, display_name, description, storage_state,"
              + " created_at, last_run_created_at) VALUES (:id, :ns, :dn, :d, :s, :c, :l)",
          args(
              "id",
              e.id(),
              "ns",
              e.namespace(),
              "dn",
              e.displayName(),
              "d",
              e.description(),
              "s",
              e.storageState() == null ? "AVAILABLE" : e.storageState(),
              "c",
              millis(e.createdAt()),
              "l",
              millis(e.lastRunCreatedAt())),
          "experiment '"
              + e.displayName()
              + "' already exists in namespace '"
              + e.namespace()
              + "'");
    }

    @Override
    public Optional<ExperimentRecord> get(String id) {
      return one("SELECT * FROM experiments WHERE id = :id", args("id", id), EXPERIMENT);
    }

    @Override
    public Optional<ExperimentRecord> getByName(String namespace, String displayName) {
      return one(
          "SELECT * FROM experiments WHERE namespace = :ns AND display_name = :dn",
          args("ns", namespace, "dn", displayName),
          EXPERIMENT);
    }

    @Override
    public ExperimentRecord getOrCreateDefault(String namespace, Instant now) {
      Optional<ExperimentRecord> found = getByName(namespace, "Default");
      if (found.isPresent()) {
        return found.get();
      }
      // ON CONFLICT rather than catching the violation: on PostgreSQL a failed statement would
      // abort the caller's transaction
      exec(
          "INSERT INTO experiments (id, namespace, display_name, description, storage_state,"
              + " created_at) VALUES (:id, :ns, 'Default', :d, 'AVAILABLE', :c)"
              + " ON CONFLICT (namespace, display_name) DO NOTHING",
          args(
              "id",
              Ids.newId(),
              "ns",
              namespace,
              "d",
              "All runs created without specifying an experiment are grouped here.",
              "c",
              millis(now)),
          null);
      return getByName(namespace, "Default").orElseThrow();
    }

    @Override
    public Page<ExperimentRecord> list(String namespace, int pageSize, String pageToken) {
      return page(
          "experiments",
          namespace == null ? "" : "namespace = :ns",
          namespace == null ? Map.of() : args("ns", namespace),
          pageSize,
          pageToken,
          EXPERIMENT,
          ExperimentRecord::createdAt,
          ExperimentRecord::id);
    }

    @Override
    public void setStorageState(String id, String storageState) {
      if (exec(
              "UPDATE experiments SET storage_state = :s WHERE id = :id",
              args("s", storageState, "id", id),
              null)
          == 0) {
        throw new NotFoundException("no experiment " + id);
      }
    }

    @Override
    public void delete(String id) {
      exec("DELETE FROM experiments WHERE id = :id", args("id", id), null);
    }
  }

  // ------------------------------------------------------------------ runs

  private static final RowMapper<RunRecord> RUN =
      (rs, ctx) ->
          new RunRecord(
              rs.getString("id"),
              rs.getString("namespace"),
              rs.getString("experiment_id"),
              rs.getString("pipeline_version_id"),
              rs.getString("display_name"),
              rs.getString("description"),
              rs.getString("pipeline_name"),
              rs.getString("pipeline_spec"),
              rs.getString("platform_spec"),
              rs.getString("runtime_config"),
              rs.getString("state"),
              rs.getString("error"),
              rs.getString("storage_state"),
              instant(rs, "created_at"),
              instant(rs, "scheduled_at"),
              instant(rs, "finished_at"),
              rs.getString("recurring_run_id"),
              rs.getString("outputs"),
              rs.getString("state_history"));

  private static final String INSERT_RUN =
      "INSERT INTO runs (id, namespace, experiment_id, pipeline_version_id, display_name,"
          + " description, pipeline_name, pipeline_spec, platform_spec, runtime_config, state,"
          + " error, storage_state, created_at, scheduled_at, finished_at, recurring_run_id,"
          + " outputs, state_history) VALUES (:id, :ns, :exp, :ver, :dn, :d, :pn, :spec,"
          + " :plat, :rc, :state, :err, :ss, :c, :sched, :fin, :rr, :out, :hist)";

  /** One entry of a run's state history, as KFP's RuntimeStatus: compact JSON. */
  private static String historyEntry(Instant at, String state, String error) {
    ObjectNode entry = Json.json().createObjectNode();
    entry.put("update_time", at.toString()).put("state", state);
    if (error != null) {
      entry.putObject("error").put("message", error);
    }
    return Json.write(entry);
  }

  final class RunsSql implements Runs {
    @Override
    public void insert(RunRecord r) {
      String history;
      if (r.stateHistory() == null || r.stateHistory().isBlank()) {
        history = "[]";
      } else {
        // compact, so that updateState can append to the text
        history = Json.write(Json.parse(r.stateHistory()));
      }
      if (history.equals("[]")) {
        history = "[" + historyEntry(r.createdAt(), r.state(), r.error()) + "]";
      }
      Map<String, Object> params =
          args(
              "id",
              r.id(),
              "ns",
              r.namespace(),
              "exp",
              r.experimentId(),
              "ver",
              r.pipelineVersionId(),
              "dn",
              r.displayName(),
              "d",
              r.description(),
              "pn",
              r.pipelineName(),
              "spec",
              r.pipelineSpec(),
              "plat",
              r.platformSpec(),
              "rc",
              r.runtimeConfig(),
              "state",
              r.state(),
              "err",
              r.error(),
              "ss",
              r.storageState() == null ? "AVAILABLE" : r.storageState(),
              "c",
              millis(r.createdAt()),
              "sched",
              millis(r.scheduledAt()),
              "fin",
              millis(r.finishedAt()),
              "rr",
              r.recurringRunId(),
              "out",
              r.outputs(),
              "hist",
              history);
      atomically(
          h -> {
            exec(h, INSERT_RUN, params, "run " + r.id() + " already exists", null);
            if (r.experimentId() != null) {
              update(
                  h,
                  "UPDATE experiments SET last_run_created_at = :c WHERE id = :id"
                      + " AND (last_run_created_at IS NULL OR last_run_created_at < :c)",
                  args("c", millis(r.createdAt()), "id", r.experimentId()));
            }
            return null;
          });
    }

    @Override
    public Optional<RunRecord> get(String id) {
      return one("SELECT * FROM runs WHERE id = :id", args("id", id), RUN);
    }

    @Override
    public Page<RunRecord> list(
        String namespace, String experimentId, int pageSize, String pageToken) {
      List<String> where = new ArrayList<>();
      Map<String, Object> p = new java.util.LinkedHashMap<>();
      if (namespace != null) {
        where.add("namespace = :ns");
        p.put("ns", namespace);
      }
      if (experimentId != null) {
        where.add("experiment_id = :exp");
        p.put("exp", experimentId);
      }
      return page(
          "runs",
          String.join(" AND ", where),
          p,
          pageSize,
          pageToken,
          RUN,
          RunRecord::createdAt,
          RunRecord::id);
    }

    @Override
    public Page<RunRecord> list(
        String namespace, String experimentId, int pageSize, String pageToken, Sort sort) {
      if (sort.equals(Sort.NEWEST_FIRST)) {
        return list(namespace, experimentId, pageSize, pageToken);
      }
      String expr =
          switch (sort.column()) {
            case "created_at" -> "created_at";
            case "finished_at" -> "COALESCE(finished_at, 0)";
            case "scheduled_at" -> "COALESCE(scheduled_at, 0)";
            case "display_name" -> "display_name";
            case "state" -> "state";
            case "run_id" -> "id";
            default ->
                throw new IllegalArgumentException("runs do not sort by '" + sort.column() + "'");
          };
      boolean numeric = sort.column().endsWith("_at");
      String dir = sort.descending() ? "DESC" : "ASC";
      List<String> where = new ArrayList<>();
      Map<String, Object> p = new java.util.LinkedHashMap<>();
      if (namespace != null) {
        where.add("namespace = :ns");
        p.put("ns", namespace);
      }
      if (experimentId != null) {
        where.add("experiment_id = :exp");
        p.put("exp", experimentId);
      }
      String filter = where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where);
      long total =
          db.with(
              h -> {
                Query q = h.createQuery("SELECT COUNT(*) FROM runs" + filter);
                p.forEach(q::bind);
                return q.mapTo(Long.class).one();
              });
      String prefix = "sort|" + sort.column() + "|" + dir + "|";
      List<String> keyset = new ArrayList<>(where);
      if (pageToken != null && !pageToken.isEmpty()) {
        String t;
        try {
          t = new String(Base64.getUrlDecoder().decode(pageToken), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("invalid page token '" + pageToken + "'");
        }
        if (!t.startsWith(prefix)) {
          throw new IllegalArgumentException("the page token is for another order or listing");
        }
        String rest = t.substring(prefix.length());
        int bar = rest.lastIndexOf('|');
        if (bar < 0) {
          throw new IllegalArgumentException("invalid page token '" + pageToken + "'");
        }
        String value = rest.substring(0, bar);
        p.put("tok_v", numeric ? (Object) Long.parseLong(value) : value);
        p.put("tok_id", rest.substring(bar + 1));
        keyset.add("(" + expr + ", id) " + (sort.descending() ? "<" : ">") + " (:tok_v, :tok_id)");
      }
      int size = pageSize <= 0 ? 20 : Math.min(pageSize, 1000);
      p.put("lim", size + 1);
      List<RunRecord> rows =
          query(
              "SELECT * FROM runs"
                  + (keyset.isEmpty() ? "" : " WHERE " + String.join(" AND ", keyset))
                  + " ORDER BY "
                  + expr
                  + " "
                  + dir
                  + ", id "
                  + dir
                  + " LIMIT :lim",
              p,
              RUN);
      String next = "";
      if (rows.size() > size) {
        rows = new ArrayList<>(rows.subList(0, size));
        RunRecord last = rows.get(size - 1);
        String value =
            switch (sort.column()) {
              case "created_at" -> Long.toString(last.createdAt().toEpochMilli());
              case "finished_at" ->
                  Long.toString(last.finishedAt() == null ? 0 : last.finishedAt().toEpochMilli());
              case "scheduled_at" ->
                  Long.toString(last.scheduledAt() == null ? 0 : last.scheduledAt().toEpochMilli());
              case "display_name" -> last.displayName();
              case "state" -> last.state();
              default -> last.id();
            };
        next =
            Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(
                    (prefix + value + "|" + last.id()).getBytes(StandardCharsets.UTF_8));
      }
      return new Page<>(rows, next, total);
    }

    @Override
    public void updateState(String id, String state, String error, Instant at, Instant finishedAt) {
      // one UPDATE appends to the JSON array's text, so that concurrent writers lose no entry;
      // plain text functions give the same result on SQLite and PostgreSQL
      int n =
          exec(
              "UPDATE runs SET state = :state, error = :err, finished_at = :fin, state_history ="
                  + " CASE WHEN state_history = '[]' THEN '[' || :entry || ']'"
                  + " ELSE substr(state_history, 1, length(state_history) - 1) || ',' || :entry"
                  + " || ']' END"
                  + " WHERE id = :id",
              args(
                  "state",
                  state,
                  "err",
                  error,
                  "fin",
                  millis(finishedAt),
                  "entry",
                  historyEntry(at, state, error),
                  "id",
                  id),
              null);
      if (n == 0) {
        throw new NotFoundException("no run " + id);
      }
    }

    @Override
    public void setOutputs(String id, String outputsJson) {
      if (exec(
              "UPDATE runs SET outputs = :o WHERE id = :id", args("o", outputsJson, "id", id), null)
          == 0) {
        throw new NotFoundException("no run " + id);
      }
    }

    @Override
    public void setStorageState(String id, String storageState) {
      if (exec(
              "UPDATE runs SET storage_state = :s WHERE id = :id",
              args("s", storageState, "id", id),
              null)
          == 0) {
        throw new NotFoundException("no run " + id);
      }
    }

    @Override
    public List<RunRecord> listUnfinished() {
      return query(
          "SELECT * FROM runs WHERE state IN ('PENDING', 'RUNNING', 'CANCELING')"
              + " ORDER BY created_at, id",
          Map.of(),
          RUN);
    }

    @Override
    public boolean acquireLease(String runId, String owner, Instant now, Duration ttl) {
      return exec(
              "UPDATE runs SET lease_owner = :o, lease_expires_at = :exp WHERE id = :id AND"
                  + " (lease_owner IS NULL OR lease_owner = :o OR lease_expires_at < :now)",
              args(
                  "o",
                  owner,
                  "exp",
                  now.plus(ttl).toEpochMilli(),
                  "id",
                  runId,
                  "now",
                  now.toEpochMilli()),
              null)
          == 1;
    }

    @Override
    public boolean renewLease(String runId, String owner, Instant now, Duration ttl) {
      return exec(
              "UPDATE runs SET lease_expires_at = :exp WHERE id = :id AND lease_owner = :o",
              args("exp", now.plus(ttl).toEpochMilli(), "id", runId, "o", owner),
              null)
          == 1;
    }

    @Override
    public void releaseLease(String runId, String owner) {
      exec(
          "UPDATE runs SET lease_owner = NULL, lease_expires_at = NULL"
              + " WHERE id = :id AND lease_owner = :o",
          args("id", runId, "o", owner),
          null);
    }

    @Override
    public Optional<String> leaseOwner(String runId, Instant now) {
      return one(
          "SELECT lease_owner FROM runs WHERE id = :id AND lease_owner IS NOT NULL"
              + " AND lease_expires_at >= :now",
          args("id", runId, "now", now.toEpochMilli()),
          (rs, ctx) -> rs.getString(1));
    }

    @Override
    public void delete(String id) {
      atomically(
          h -> {
            h.createUpdate(
                    "DELETE FROM events WHERE task_id IN (SELECT id FROM tasks WHERE run_id = :id)")
                .bind("id", id)
                .execute();
            h.createUpdate("DELETE FROM artifacts WHERE run_id = :id").bind("id", id).execute();
            h.createUpdate("DELETE FROM tasks WHERE run_id = :id").bind("id", id).execute();
            h.createUpdate("DELETE FROM run_events WHERE run_id = :id").bind("id", id).execute();
            return h.createUpdate("DELETE FROM runs WHERE id = :id").bind("id", id).execute();
          });
    }
  }

  // ------------------------------------------------------------------ tasks

  private static final RowMapper<TaskRecord> TASK =
      (rs, ctx) ->
          new TaskRecord(
              rs.getString("id"),
              rs.getString("run_id"),
              rs.getString("parent_task_id"),
              rs.getString("path"),
              rs.getString("name"),
              rs.getString("display_name"),
              rs.getString("component_name"),
              rs.getString("state"),
              rs.getInt("attempt"),
              rs.getString("fingerprint"),
              rs.getString("cached_from_task_id"),
              rs.getString("inputs"),
              rs.getString("outputs"),
              rs.getString("error"),
              rs.getString("workload_id"),
              longOrNull(rs, "pid"),
              instant(rs, "pid_started_at"),
              rs.getString("log_path"),
              instant(rs, "created_at"),
              instant(rs, "started_at"),
              instant(rs, "finished_at"));

  private static Map<String, Object> taskArgs(TaskRecord t) {
    return args(
        "id",
        t.id(),
        "run",
        t.runId(),
        "parent",
        t.parentTaskId(),
        "path",
        t.path(),
        "name",
        t.name(),
        "dn",
        t.displayName(),
        "comp",
        t.componentName(),
        "state",
        t.state(),
        "attempt",
        t.attempt(),
        "fp",
        t.fingerprint(),
        "cached",
        t.cachedFromTaskId(),
        "inputs",
        t.inputs(),
        "outputs",
        t.outputs(),
        "err",
        t.error(),
        "wl",
        t.workloadId(),
        "pid",
        t.pid(),
        "pidst",
        millis(t.pidStartedAt()),
        "log",
        t.logPath(),
        "c",
        millis(t.createdAt()),
        "st",
        millis(t.startedAt()),
        "fin",
        millis(t.finishedAt()));
  }

  final class TasksSql implements Tasks {
    @Override
    public TaskRecord insertIfAbsent(TaskRecord t) {
      int inserted =
          exec(
              "INSERT INTO tasks (id, run_id, parent_task_id, path, name, display_name,"
                  + " component_name, state, attempt, fingerprint, cached_from_task_id, inputs,"
                  + " outputs, error, workload_id, pid, pid_started_at, log_path, created_at,"
                  + " started_at, finished_at) VALUES (:id, :run, :parent, :path, :name, :dn, :comp,"
                  + " :state, :attempt, :fp, :cached, :inputs, :outputs, :err, :wl, :pid, :pidst, :log,"
                  + " :c, :st, :fin) ON CONFLICT (run_id, path) DO NOTHING",
              taskArgs(t),
              "task " + t.id() + " already exists",
              "no run " + t.runId());
      return inserted == 1 ? t : getByPath(t.runId(), t.path()).orElseThrow();
    }

    @Override
    public void update(TaskRecord t) {
      int n =
          exec(
              "UPDATE tasks SET parent_task_id = :parent, name = :name, display_name = :dn,"
                  + " component_name = :comp, state = :state, attempt = :attempt,"
                  + " fingerprint = :fp, cached_from_task_id = :cached, inputs = :inputs,"
                  + " outputs = :outputs, error = :err, workload_id = :wl, pid = :pid,"
                  + " pid_started_at = :pidst, log_path = :log, started_at = :st,"
                  + " finished_at = :fin WHERE id = :id",
              taskArgs(t),
              null);
      if (n == 0) {
        throw new NotFoundException("no task " + t.id());
      }
    }

    @Override
    public Optional<TaskRecord> get(String id) {
      return one("SELECT * FROM tasks WHERE id = :id", args("id", id), TASK);
    }

    @Override
    public Optional<TaskRecord> getByPath(String runId, String path) {
      return one(
          "SELECT * FROM tasks WHERE run_id = :run AND path = :path",
          args("run", runId, "path", path),
          TASK);
    }

    @Override
    public List<TaskRecord> listByRun(String runId) {
      return query(
          "SELECT * FROM tasks WHERE run_id = :run ORDER BY created_at, path",
          args("run", runId),
          TASK);
    }

    @Override
    public Optional<TaskRecord> findCached(
        String namespace, String pipelineName, String fingerprint) {
      return one(
          "SELECT t.* FROM tasks t JOIN runs r ON r.id = t.run_id"
              + " WHERE t.fingerprint = :fp AND t.state = 'SUCCEEDED' AND r.namespace = :ns"
              + " AND r.pipeline_name = :pn"
              + " ORDER BY t.finished_at DESC NULLS LAST, t.created_at DESC, t.id DESC LIMIT 1",
          args("fp", fingerprint, "ns", namespace, "pn", pipelineName),
          TASK);
    }
  }

  // ------------------------------------------------------------------ artifacts and events

  private static final RowMapper<ArtifactRecord> ARTIFACT =
      (rs, ctx) ->
          new ArtifactRecord(
              rs.getString("id"),
              rs.getString("run_id"),
              rs.getString("task_id"),
              rs.getString("name"),
              rs.getString("uri"),
              rs.getString("schema_title"),
              rs.getString("metadata"),
              instant(rs, "created_at"));

  final class ArtifactsSql implements Artifacts {
    @Override
    public void insert(ArtifactRecord a) {
      exec(
          "INSERT INTO artifacts (id, run_id, task_id, name, uri, schema_title, metadata,"
              + " created_at) VALUES (:id, :run, :task, :name, :uri, :st, :md, :c)",
          args(
              "id",
              a.id(),
              "run",
              a.runId(),
              "task",
              a.taskId(),
              "name",
              a.name(),
              "uri",
              a.uri(),
              "st",
              a.schemaTitle(),
              "md",
              a.metadata(),
              "c",
              millis(a.createdAt())),
          "artifact " + a.id() + " already exists",
          "no run " + a.runId());
    }

    @Override
    public Optional<ArtifactRecord> get(String id) {
      return one("SELECT * FROM artifacts WHERE id = :id", args("id", id), ARTIFACT);
    }

    @Override
    public List<ArtifactRecord> listByTask(String taskId) {
      return query(
          "SELECT * FROM artifacts WHERE task_id = :t ORDER BY created_at, name",
          args("t", taskId),
          ARTIFACT);
    }

    @Override
    public List<ArtifactRecord> listByRun(String runId) {
      return query(
          "SELECT * FROM artifacts WHERE run_id = :r ORDER BY created_at, name",
          args("r", runId),
          ARTIFACT);
    }
  }

  private static final RowMapper<EventRecord> EVENT =
      (rs, ctx) ->
          new EventRecord(
              rs.getString("id"),
              rs.getString("task_id"),
              rs.getString("artifact_id"),
              rs.getString("type"),
              rs.getString("event_key"),
              instant(rs, "created_at"));

  final class EventsSql implements Events {
    @Override
    public void insert(EventRecord e) {
      exec(
          "INSERT INTO events (id, task_id, artifact_id, type, event_key, created_at)"
              + " VALUES (:id, :task, :art, :type, :key, :c)",
          args(
              "id",
              e.id(),
              "task",
              e.taskId(),
              "art",
              e.artifactId(),
              "type",
              e.type(),
              "key",
              e.key(),
              "c",
              millis(e.createdAt())),
          "event " + e.id() + " already exists",
          "no task " + e.taskId());
    }

    @Override
    public List<EventRecord> listByTask(String taskId) {
      return query(
          "SELECT * FROM events WHERE task_id = :t ORDER BY created_at, id",
          args("t", taskId),
          EVENT);
    }

    @Override
    public List<EventRecord> listByArtifact(String artifactId) {
      return query(
          "SELECT * FROM events WHERE artifact_id = :a ORDER BY created_at, id",
          args("a", artifactId),
          EVENT);
    }
  }

  // ------------------------------------------------------------------ secrets

  final class SecretsSql implements Secrets {
    @Override
    public void put(String namespace, String name, Map<String, String> data, Instant now) {
      exec(
          "INSERT INTO secrets (namespace, name, data, created_at) VALUES (:ns, :name, :data, :c)"
              + " ON CONFLICT (namespace, name) DO UPDATE SET data = excluded.data",
          args(
              "ns",
              namespace,
              "name",
              name,
              "data",
              Json.write(new java.util.TreeMap<>(data)),
              "c",
              millis(now)),
          null);
    }

    @Override
    public Optional<Map<String, String>> get(String namespace, String name) {
      return one(
          "SELECT data FROM secrets WHERE namespace = :ns AND name = :name",
          args("ns", namespace, "name", name),
          (rs, ctx) -> {
            Map<String, String> data = new java.util.LinkedHashMap<>();
            Json.parse(rs.getString(1))
                .fields()
                .forEachRemaining(e -> data.put(e.getKey(), e.getValue().asText()));
            return data;
          });
    }

    @Override
    public List<String> list(String namespace) {
      return query(
          "SELECT name FROM secrets WHERE namespace = :ns ORDER BY name",
          args("ns", namespace),
          (rs, ctx) -> rs.getString(1));
    }

    @Override
    public boolean delete(String namespace, String name) {
      return exec(
              "DELETE FROM secrets WHERE namespace = :ns AND name = :name",
              args("ns", namespace, "name", name),
              null)
          == 1;
    }
  }

  // ------------------------------------------------------------------ run events

  final class RunEventsSql implements RunEvents {
    @Override
    public void insert(RunEventRecord e) {
      exec(
          "INSERT INTO run_events (id, run_id, created_at, type, message)"
              + " VALUES (:id, :run, :c, :type, :msg)",
          args(
              "id",
              e.id(),
              "run",
              e.runId(),
              "c",
              millis(e.createdAt()),
              "type",
              e.type(),
              "msg",
              e.message()),
          "event " + e.id() + " already exists");
    }

    @Override
    public List<RunEventRecord> listByRun(String runId) {
      return query(
          "SELECT * FROM run_events WHERE run_id = :run ORDER BY created_at, id",
          args("run", runId),
          (rs, ctx) ->
              new RunEventRecord(
                  rs.getString("id"),
                  rs.getString("run_id"),
                  instant(rs, "created_at"),
                  rs.getString("type"),
                  rs.getString("message")));
    }
  }
}
