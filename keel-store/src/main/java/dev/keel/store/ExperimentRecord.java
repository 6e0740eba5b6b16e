package dev.keel.store;

import java.time.Instant;

/** An experiment: a named group of runs in a namespace; storageState AVAILABLE or ARCHIVED. */
public record ExperimentRecord(
    String id,
    String namespace,
    String displayName,
    String description,
    String storageState,
    Instant createdAt,
    Instant lastRunCreatedAt) {}
