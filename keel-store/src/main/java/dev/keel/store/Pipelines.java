package dev.keel.store;

import java.util.Optional;

/** Stored pipelines; a pipeline's name is unique in its namespace. */
public interface Pipelines {
  /**
   * Stores a new pipeline.
   *
   * @throws ConflictException when the namespace already has a pipeline of that name
   */
  void insert(PipelineRecord p);

  Optional<PipelineRecord> get(String id);

  Optional<PipelineRecord> getByName(String namespace, String name);

  /** Newest first; a {@code null} namespace means every namespace. Keyset pagination. */
  Page<PipelineRecord> list(String namespace, int pageSize, String pageToken);

  /** Deletes the pipeline with its versions; nothing happens when there is none. */
  void delete(String id);
}
