package dev.keel.store;

import java.time.Instant;

/**
 * A built-in user.
 *
 * @param name the user's name, as it appears as owner or contributor of a profile
 * @param passwordHash an encoded password hash (Argon2id), or {@code null} for a user without one
 * @param clusterAdmin whether the user may act on every namespace
 * @param createdAt when the user was added
 */
public record UserRecord(
    String name, String passwordHash, boolean clusterAdmin, Instant createdAt) {}
