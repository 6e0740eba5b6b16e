package dev.keel.store;

import java.time.Instant;

/**
 * A run: the pipeline it runs (as JSON), its runtime config, its state with history, and its
 * outputs.
 */
public record RunRecord(
    String id,
    String namespace,
    String experimentId,
    String pipelineVersionId,
    String displayName,
    String description,
    String pipelineName,
    String pipelineSpec,
    String platformSpec,
    String runtimeConfig,
    String state,
    String error,
    String storageState,
    Instant createdAt,
    Instant scheduledAt,
    Instant finishedAt,
    String recurringRunId,
    String outputs,
    String stateHistory) {}
