package dev.keel.store;

import java.util.List;
import java.util.Optional;

/** Artifacts that tasks produced. */
public interface Artifacts {
  /**
   * @throws ConflictException when an artifact with that id exists
   * @throws NotFoundException when the run does not exist
   */
  void insert(ArtifactRecord a);

  Optional<ArtifactRecord> get(String id);

  /** Ordered by created_at, then name. */
  List<ArtifactRecord> listByTask(String taskId);

  /** Ordered by created_at, then name. */
  List<ArtifactRecord> listByRun(String runId);
}
