package dev.keel.store;

import java.time.Instant;

/** An artifact a task produced: where it lives, its type and its metadata (JSON). */
public record ArtifactRecord(
    String id,
    String runId,
    String taskId,
    String name,
    String uri,
    String schemaTitle,
    String metadata,
    Instant createdAt) {}
