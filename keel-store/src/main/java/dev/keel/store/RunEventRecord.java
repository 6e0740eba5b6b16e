package dev.keel.store;

import java.time.Instant;

/**
 * Something the engine did to a run and why, for {@code keel runs get} and the dashboard.
 *
 * @param id the event's id
 * @param runId the run
 * @param createdAt when
 * @param type {@code Normal} or {@code Warning}, as Kubernetes events
 * @param message what happened, in a sentence
 */
public record RunEventRecord(
    String id, String runId, Instant createdAt, String type, String message) {}
