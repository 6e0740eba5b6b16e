package dev.keel.store;

import java.util.Optional;

/** Versions of stored pipelines; a version's name is unique in its pipeline. */
public interface PipelineVersions {
  /**
   * Stores a new version.
   *
   * @throws ConflictException when the pipeline already has a version of that name
   * @throws NotFoundException when the pipeline does not exist
   */
  void insert(PipelineVersionRecord v);

  Optional<PipelineVersionRecord> get(String id);

  /** The pipeline's newest version. */
  Optional<PipelineVersionRecord> latest(String pipelineId);

  /** The pipeline's versions, newest first. Keyset pagination. */
  Page<PipelineVersionRecord> list(String pipelineId, int pageSize, String pageToken);

  void delete(String id);
}
