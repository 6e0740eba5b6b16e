package dev.keel.runtime;

import java.time.Instant;

/**
 * Where a workload stands.
 *
 * @param phase its phase
 * @param exitCode the process's exit code once it ended, else {@code null}
 * @param reason one word: Queued, Started, Completed, Error, Timeout, Canceled, ProgramNotFound,
 *     LaunchFailed
 * @param message a sentence for the user, or {@code null}
 * @param startedAt when the process started
 * @param finishedAt when it ended
 * @param pid the process id once started
 * @param pidStartedAt when the process started, by the runtime's clock as its spawn returned
 *     (milliseconds after the actual start, not asked of the OS), to recognise it later with {@link
 *     LocalRuntime#killStale}, whose tolerance allows for both
 */
public record WorkloadStatus(
    Phase phase,
    Integer exitCode,
    String reason,
    String message,
    Instant startedAt,
    Instant finishedAt,
    Long pid,
    Instant pidStartedAt) {}
