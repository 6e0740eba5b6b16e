package dev.keel.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Recurring runs and their fires. */
public interface RecurringRuns {
  /** Stores a new recurring run. */
  void insert(RecurringRunRecord r);

  Optional<RecurringRunRecord> get(String id);

  /** Newest first; a {@code null} namespace means every namespace. Keyset pagination. */
  Page<RecurringRunRecord> list(
      String namespace, String experimentId, int pageSize, String pageToken);

  /** Every enabled recurring run, for the scheduler. */
  List<RecurringRunRecord> listEnabled();

  /** Enables or disables; false when there is no such recurring run. */
  boolean setEnabled(String id, boolean enabled, Instant now);

  /** Deletes it with its fire records; its runs stay. */
  boolean delete(String id);

  /**
   * Claims one fire: records {@code scheduledAt} as fired and moves the recurring run's last
   * scheduled time and fire count on, in one transaction. False when that time was claimed before
   * (by this or another scheduler): the caller must not start a run for it.
   */
  boolean claimFire(String id, Instant scheduledAt, long index, Instant now);

  /** Notes the run a claimed fire started. */
  void setFireRun(String id, Instant scheduledAt, String runId);

  /** Claimed fires whose run was never recorded (a crash came between), oldest first. */
  List<Fire> unfinishedFires();

  /** How many of its runs have not ended. */
  int activeRuns(String id);

  /** A fire of a recurring run. */
  record Fire(String recurringRunId, Instant scheduledAt, long index, String runId) {}
}
