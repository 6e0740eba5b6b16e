package dev.keel.store;

import java.time.Instant;

/** A lineage event: a task consumed (INPUT) or produced (OUTPUT) an artifact under a key. */
public record EventRecord(
    String id, String taskId, String artifactId, String type, String key, Instant createdAt) {}
