package dev.keel.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Runs, their state history and their leases. A process drives a run only while it holds the run's
 * lease; an expired lease may be taken over.
 */
public interface Runs {
  /**
   * Stores a new run. A missing or empty {@code stateHistory} starts as one entry for the initial
   * state at {@code createdAt}; the experiment's {@code lastRunCreatedAt} moves forward.
   *
   * @throws ConflictException when a run with that id exists
   */
  void insert(RunRecord run);

  Optional<RunRecord> get(String id);

  /**
   * Newest first (created_at desc, id desc); a {@code null} namespace or experiment means any.
   * Keyset pagination: the token names the last row shown, so rows inserted meanwhile neither shift
   * nor repeat the pages that follow.
   *
   * @throws IllegalArgumentException for a token this store did not hand out
   */
  Page<RunRecord> list(String namespace, String experimentId, int pageSize, String pageToken);

  /**
   * Like {@link #list(String, String, int, String)}, in another order: by {@code created_at},
   * {@code finished_at}, {@code scheduled_at} (unset ones first when ascending), {@code
   * display_name}, {@code state} or {@code run_id}, then by id. A page token names the order it was
   * made for.
   *
   * @throws IllegalArgumentException for an unknown column, or a token of another order
   */
  Page<RunRecord> list(
      String namespace, String experimentId, int pageSize, String pageToken, Sort sort);

  /** An order of a run listing. */
  record Sort(String column, boolean descending) {
    public static final Sort NEWEST_FIRST = new Sort("created_at", true);

    /** The columns runs sort by, as KFP names them. */
    public static final java.util.Set<String> COLUMNS =
        java.util.Set.of(
            "created_at", "finished_at", "scheduled_at", "display_name", "state", "run_id");
  }

  /**
   * Sets the state, error and finish time, and appends {@code {"update_time", "state"[, "error":
   * {"message"}]}} to the state history, in one statement.
   *
   * @throws NotFoundException when there is no such run
   */
  void updateState(String id, String state, String error, Instant at, Instant finishedAt);

  /**
   * @throws NotFoundException when there is no such run
   */
  void setOutputs(String id, String outputsJson);

  /**
   * Sets AVAILABLE or ARCHIVED.
   *
   * @throws NotFoundException when there is no such run
   */
  void setStorageState(String id, String storageState);

  /** Runs in PENDING, RUNNING or CANCELING, oldest first. */
  List<RunRecord> listUnfinished();

  /**
   * Takes the lease when it is free, ours already, or expired, in one conditional UPDATE.
   *
   * @return whether {@code owner} holds the lease until {@code now + ttl}
   */
  boolean acquireLease(String runId, String owner, Instant now, Duration ttl);

  /** Extends our lease to {@code now + ttl}; false when someone else holds it. */
  boolean renewLease(String runId, String owner, Instant now, Duration ttl);

  /** Gives the lease up if {@code owner} holds it. */
  void releaseLease(String runId, String owner);

  /** The owner of a lease that has not expired at {@code now}. */
  Optional<String> leaseOwner(String runId, Instant now);

  /** Deletes the run with its tasks, artifacts and events, in one transaction. */
  void delete(String id);
}
