package dev.keel.store;

import java.time.Instant;

/**
 * An API token of a user; only a hash of the token is kept.
 *
 * @param id the token's id, to list and revoke it by
 * @param user the user the token acts as
 * @param tokenHash the hex SHA-256 of the token
 * @param description what the token is for
 * @param createdAt when it was made
 * @param lastUsedAt when it last authenticated a request, or {@code null}
 */
public record ApiTokenRecord(
    String id,
    String user,
    String tokenHash,
    String description,
    Instant createdAt,
    Instant lastUsedAt) {}
