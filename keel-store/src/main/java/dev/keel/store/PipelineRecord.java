package dev.keel.store;

import java.time.Instant;

/** A stored pipeline: a name in a namespace that versions hang off. */
public record PipelineRecord(
    String id,
    String namespace,
    String name,
    String displayName,
    String description,
    Instant createdAt) {}
