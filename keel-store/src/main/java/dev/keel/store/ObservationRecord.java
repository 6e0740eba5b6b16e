package dev.keel.store;

import java.time.Instant;

/**
 * One value a trial reported for a metric: Katib's observation log row.
 *
 * @param metricName the metric
 * @param step the report's step (the metric's running count when the trial gave none)
 * @param value the value as reported (numbers as text; a metric may also be text)
 * @param time when it was reported ({@link Instant#EPOCH} when the trial did not say)
 */
public record ObservationRecord(String metricName, long step, String value, Instant time) {}
