package dev.keel.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Built-in users and their API tokens. */
public interface Users {
  /** Adds a user; a {@link ConflictException} when the name is taken. */
  void insert(UserRecord user);

  Optional<UserRecord> get(String name);

  /** Every user, by name. */
  List<UserRecord> list();

  /** Replaces the password hash; false when there is no such user. */
  boolean setPasswordHash(String name, String passwordHash);

  /** Removes the user and their tokens; false when there was none. */
  boolean delete(String name);

  /** Adds a token; a {@link NotFoundException} when its user does not exist. */
  void insertToken(ApiTokenRecord token);

  Optional<ApiTokenRecord> tokenByHash(String tokenHash);

  /** A user's tokens, oldest first. */
  List<ApiTokenRecord> tokens(String user);

  /** Revokes a token of {@code user}; false when the user has no such token. */
  boolean deleteToken(String user, String id);

  /** Notes that a token authenticated a request at {@code at}. */
  void tokenUsed(String id, Instant at);
}
