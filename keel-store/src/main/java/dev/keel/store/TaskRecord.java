package dev.keel.store;

import java.time.Instant;

/** One task (execution) of a run; (runId, path) is unique, so a task is never recorded twice. */
public record TaskRecord(
    String id,
    String runId,
    String parentTaskId,
    String path,
    String name,
    String displayName,
    String componentName,
    String state,
    int attempt,
    String fingerprint,
    String cachedFromTaskId,
    String inputs,
    String outputs,
    String error,
    String workloadId,
    Long pid,
    Instant pidStartedAt,
    String logPath,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt) {}
