package dev.keel.store;

import java.time.Instant;

/**
 * A recurring run: what to run and when.
 *
 * @param id its id
 * @param namespace the namespace of its runs
 * @param experimentId the experiment its runs join
 * @param displayName its name
 * @param description what it is for, or {@code null}
 * @param pipelineVersionId the stored pipeline version it runs, or {@code null}
 * @param pipelineSpec the pipeline it runs as JSON ({@code {pipeline_spec, platform_spec}}), or
 *     {@code null} with a version
 * @param runtimeConfig {@code {"parameters": {...}}} for its runs, macros not yet substituted
 * @param cron a cron expression (six fields, seconds first, or a descriptor such as {@code @every
 *     1h}), or {@code null} for a periodic schedule
 * @param intervalSeconds the period of a periodic schedule, or {@code null}
 * @param startTime when it may first fire, or {@code null} for now
 * @param endTime after when it never fires, or {@code null}
 * @param maxConcurrency most of its runs unfinished at once
 * @param noCatchup after a pause, fire only the latest missed time instead of each
 * @param enabled whether it fires
 * @param timeZone the zone its cron expression is read in
 * @param createdAt when it was made
 * @param updatedAt when it last changed
 * @param lastScheduledAt the last time it fired for, or {@code null}
 * @param fires how many times it has fired
 */
public record RecurringRunRecord(
    String id,
    String namespace,
    String experimentId,
    String displayName,
    String description,
    String pipelineVersionId,
    String pipelineSpec,
    String runtimeConfig,
    String cron,
    Long intervalSeconds,
    Instant startTime,
    Instant endTime,
    int maxConcurrency,
    boolean noCatchup,
    boolean enabled,
    String timeZone,
    Instant createdAt,
    Instant updatedAt,
    Instant lastScheduledAt,
    long fires) {}
