package dev.keel.store;

import java.time.Instant;

/**
 * A user's role in a profile's namespace.
 *
 * @param profile the profile (namespace)
 * @param user the contributor's user name
 * @param role {@code admin}, {@code edit} or {@code view}
 * @param createdAt when the role was given
 */
public record ContributorRecord(String profile, String user, String role, Instant createdAt) {}
