package dev.keel.store;

import static dev.keel.store.SqlRepositories.args;
import static dev.keel.store.SqlRepositories.exec;
import static dev.keel.store.SqlRepositories.instant;
import static dev.keel.store.SqlRepositories.millis;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.Query;

/** The SQL behind {@link Users} and {@link Profiles}. */
final class SqlAccess {
  private final Db db;
  final UsersSql users = new UsersSql();
  final ProfilesSql profiles = new ProfilesSql();

  SqlAccess(Db db) {
    this.db = db;
  }

  private int update(String sql, Map<String, Object> params, String conflict, String missing) {
    return db.with(h -> exec(h, sql, params, conflict, missing));
  }

  private <T> List<T> query(String sql, Map<String, Object> params, RowMapper<T> mapper) {
    return db.with(
        h -> {
          Query q = h.createQuery(sql);
          params.forEach(q::bind);
          return q.map(mapper).list();
        });
  }

  private <T> Optional<T> one(String sql, Map<String, Object> params, RowMapper<T> mapper) {
    return query(sql, params, mapper).stream().findFirst();
  }

  private static final RowMapper<UserRecord> USER =
      (rs, ctx) ->
          new UserRecord(
              rs.getString("name"),
              rs.getString("password_hash"),
              rs.getBoolean("cluster_admin"),
              instant(rs, "created_at"));

  private static final RowMapper<ApiTokenRecord> TOKEN =
      (rs, ctx) ->
          new ApiTokenRecord(
              rs.getString("id"),
              rs.getString("user_name"),
              rs.getString("token_hash"),
              rs.getString("description"),
              instant(rs, "created_at"),
              instant(rs, "last_used_at"));

  private static final RowMapper<ProfileRecord> PROFILE =
      (rs, ctx) ->
          new ProfileRecord(
              rs.getString("name"),
              rs.getString("owner"),
              rs.getString("quota"),
              instant(rs, "created_at"));

  private static final RowMapper<ContributorRecord> CONTRIBUTOR =
      (rs, ctx) ->
          new ContributorRecord(
              rs.getString("profile"),
              rs.getString("user_name"),
              rs.getString("role"),
              instant(rs, "created_at"));

  final class UsersSql implements Users {
    @Override
    public void insert(UserRecord u) {
      update(
          "INSERT INTO users (name, password_hash, cluster_admin, created_at)"
              + " VALUES (:name, :hash, :admin, :c)",
          args(
              "name",
              u.name(),
              "hash",
              u.passwordHash(),
              "admin",
              u.clusterAdmin(),
              "c",
              millis(u.createdAt())),
          "user '" + u.name() + "' already exists",
          null);
    }

    @Override
    public Optional<UserRecord> get(String name) {
      return one("SELECT * FROM users WHERE name = :name", args("name", name), USER);
    }

    @Override
    public List<UserRecord> list() {
      return query("SELECT * FROM users ORDER BY name", Map.of(), USER);
    }

    @Override
    public boolean setPasswordHash(String name, String passwordHash) {
      return update(
              "UPDATE users SET password_hash = :hash WHERE name = :name",
              args("hash", passwordHash, "name", name),
              null,
              null)
          == 1;
    }

    @Override
    public boolean delete(String name) {
      return db.with(
          h ->
              h.inTransaction(
                  tx -> {
                    exec(
                        tx,
                        "DELETE FROM api_tokens WHERE user_name = :n",
                        args("n", name),
                        null,
                        null);
                    return exec(
                            tx, "DELETE FROM users WHERE name = :n", args("n", name), null, null)
                        == 1;
                  }));
    }

    @Override
    public void insertToken(ApiTokenRecord t) {
      update(
          "INSERT INTO api_tokens (id, user_name, token_hash, description, created_at,"
              + " last_used_at) VALUES (:id, :user, :hash, :d, :c, :u)",
          args(
              "id",
              t.id(),
              "user",
              t.user(),
              "hash",
              t.tokenHash(),
              "d",
              t.description(),
              "c",
              millis(t.createdAt()),
              "u",
              millis(t.lastUsedAt())),
          "token " + t.id() + " already exists",
          "no user '" + t.user() + "'");
    }

    @Override
    public Optional<ApiTokenRecord> tokenByHash(String tokenHash) {
      return one("SELECT * FROM api_tokens WHERE token_hash = :h", args("h", tokenHash), TOKEN);
    }

    @Override
    public List<ApiTokenRecord> tokens(String user) {
      return query(
          "SELECT * FROM api_tokens WHERE user_name = :u ORDER BY created_at, id",
          args("u", user),
          TOKEN);
    }

    @Override
    public boolean deleteToken(String user, String id) {
      return update(
              "DELETE FROM api_tokens WHERE id = :id AND user_name = :u",
              args("id", id, "u", user),
              null,
              null)
          == 1;
    }

    @Override
    public void tokenUsed(String id, Instant at) {
      update(
          "UPDATE api_tokens SET last_used_at = :t WHERE id = :id",
          args("t", millis(at), "id", id),
          null,
          null);
    }
  }

  final class ProfilesSql implements Profiles {
    @Override
    public void insert(ProfileRecord p) {
      update(
          "INSERT INTO profiles (name, owner, quota, created_at) VALUES (:n, :o, :q, :c)",
          args("n", p.name(), "o", p.owner(), "q", p.quota(), "c", millis(p.createdAt())),
          "profile '" + p.name() + "' already exists",
          null);
    }

    @Override
    public Optional<ProfileRecord> get(String name) {
      return one("SELECT * FROM profiles WHERE name = :n", args("n", name), PROFILE);
    }

    @Override
    public List<ProfileRecord> list() {
      return query("SELECT * FROM profiles ORDER BY name", Map.of(), PROFILE);
    }

    @Override
    public boolean setQuota(String name, String quota) {
      return update(
              "UPDATE profiles SET quota = :q WHERE name = :n",
              args("q", quota, "n", name),
              null,
              null)
          == 1;
    }

    @Override
    public boolean delete(String name) {
      return db.with(
          h ->
              h.inTransaction(
                  tx -> {
                    exec(
                        tx,
                        "DELETE FROM contributors WHERE profile = :n",
                        args("n", name),
                        null,
                        null);
                    return exec(
                            tx, "DELETE FROM profiles WHERE name = :n", args("n", name), null, null)
                        == 1;
                  }));
    }

    @Override
    public void putContributor(String profile, String user, String role, Instant now) {
      update(
          "INSERT INTO contributors (profile, user_name, role, created_at)"
              + " VALUES (:p, :u, :r, :c)"
              + " ON CONFLICT (profile, user_name) DO UPDATE SET role = excluded.role",
          args("p", profile, "u", user, "r", role, "c", millis(now)),
          null,
          "no profile '" + profile + "'");
    }

    @Override
    public boolean removeContributor(String profile, String user) {
      return update(
              "DELETE FROM contributors WHERE profile = :p AND user_name = :u",
              args("p", profile, "u", user),
              null,
              null)
          == 1;
    }

    @Override
    public List<ContributorRecord> contributors(String profile) {
      return query(
          "SELECT * FROM contributors WHERE profile = :p ORDER BY user_name",
          args("p", profile),
          CONTRIBUTOR);
    }

    @Override
    public List<ContributorRecord> rolesOf(String user) {
      return query(
          "SELECT * FROM contributors WHERE user_name = :u ORDER BY profile",
          args("u", user),
          CONTRIBUTOR);
    }
  }
}
