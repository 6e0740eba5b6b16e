package dev.keel.store;

import java.time.Instant;

/** One version of a pipeline: its PipelineSpec and optional PlatformSpec as JSON. */
public record PipelineVersionRecord(
    String id,
    String pipelineId,
    String name,
    String displayName,
    String description,
    String pipelineSpec,
    String platformSpec,
    Instant createdAt) {}
