package dev.keel.store;

import java.util.List;
import java.util.Optional;

/** Tasks (executions) of runs; (runId, path) is unique. */
public interface Tasks {
  /**
   * Inserts the task unless its run already has a task at its path.
   *
   * @return the stored row: {@code task} itself, or the task recorded earlier at that path
   * @throws NotFoundException when the run does not exist
   */
  TaskRecord insertIfAbsent(TaskRecord task);

  /**
   * Writes every mutable field of the task with this id (all but id, run, path, creation time).
   *
   * @throws NotFoundException when there is no such task
   */
  void update(TaskRecord task);

  Optional<TaskRecord> get(String id);

  Optional<TaskRecord> getByPath(String runId, String path);

  /** The run's tasks ordered by created_at, then path. */
  List<TaskRecord> listByRun(String runId);

  /**
   * The newest SUCCEEDED task (by finish time, then creation) with this fingerprint in a run of
   * this namespace and pipeline name.
   */
  Optional<TaskRecord> findCached(String namespace, String pipelineName, String fingerprint);
}
