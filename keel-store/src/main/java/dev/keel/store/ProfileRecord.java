package dev.keel.store;

import java.time.Instant;

/**
 * A profile: one namespace and who owns it.
 *
 * @param name the profile's name, which is also its namespace
 * @param owner the owner's user name
 * @param quota the namespace's quota ({@code resourceQuotaSpec.hard}) as a JSON object
 * @param createdAt when it was made
 */
public record ProfileRecord(String name, String owner, String quota, Instant createdAt) {}
