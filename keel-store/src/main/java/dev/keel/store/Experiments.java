package dev.keel.store;

import java.time.Instant;
import java.util.Optional;

/** Experiments; an experiment's display name is unique in its namespace. */
public interface Experiments {
  /**
   * Stores a new experiment ({@code storageState} defaults to AVAILABLE).
   *
   * @throws ConflictException when the namespace already has an experiment of that name
   */
  void insert(ExperimentRecord e);

  Optional<ExperimentRecord> get(String id);

  Optional<ExperimentRecord> getByName(String namespace, String displayName);

  /** The namespace's {@code Default} experiment, created on first use (safe against races). */
  ExperimentRecord getOrCreateDefault(String namespace, Instant now);

  /** Newest first; a {@code null} namespace means every namespace. Keyset pagination. */
  Page<ExperimentRecord> list(String namespace, int pageSize, String pageToken);

  /**
   * Sets AVAILABLE or ARCHIVED.
   *
   * @throws NotFoundException when there is no such experiment
   */
  void setStorageState(String id, String storageState);

  void delete(String id);
}
