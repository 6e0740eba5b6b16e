package dev.keel.store;

import java.util.List;

/** Lineage events: which task read (INPUT) or wrote (OUTPUT) which artifact. */
public interface Events {
  /**
   * @throws ConflictException when an event with that id exists
   * @throws NotFoundException when the task does not exist
   */
  void insert(EventRecord e);

  /** Ordered by created_at, then id. */
  List<EventRecord> listByTask(String taskId);

  /** Ordered by created_at, then id. */
  List<EventRecord> listByArtifact(String artifactId);
}
