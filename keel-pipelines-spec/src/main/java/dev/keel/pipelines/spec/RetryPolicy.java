package dev.keel.pipelines.spec;

/** Retries of a failed task, durations as protobuf Duration strings such as {@code 0s}. */
public record RetryPolicy(
    Integer maxRetryCount,
    String backoffDuration,
    Double backoffFactor,
    String backoffMaxDuration) {}
