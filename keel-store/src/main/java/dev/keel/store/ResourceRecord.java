package dev.keel.store;

import java.time.Instant;

/**
 * A resource in Kubernetes shape.
 *
 * @param kind its kind, e.g. {@code Experiment}
 * @param namespace its namespace
 * @param name its name
 * @param uid its unique id
 * @param ownerUid the uid of the resource that owns it (a Trial's Experiment), or {@code null}
 * @param resourceVersion moves on with every write
 * @param document the whole document (apiVersion, kind, metadata, spec, status) as JSON
 * @param createdAt when it was made
 * @param updatedAt when it last changed
 */
public record ResourceRecord(
    String kind,
    String namespace,
    String name,
    String uid,
    String ownerUid,
    long resourceVersion,
    String document,
    Instant createdAt,
    Instant updatedAt) {}
