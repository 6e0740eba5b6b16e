package dev.keel.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Resources in Kubernetes shape, by kind, namespace and name. */
public interface Resources {
  /**
   * Stores a new resource at resource version 1; a {@link ConflictException} if the name is taken.
   */
  void create(ResourceRecord r);

  Optional<ResourceRecord> get(String kind, String namespace, String name);

  /** A kind's resources in a namespace ({@code null}: every namespace), oldest first. */
  List<ResourceRecord> list(String kind, String namespace);

  /** The resources {@code ownerUid} owns, oldest first. */
  List<ResourceRecord> owned(String ownerUid);

  /**
   * Replaces the document if the stored resource version is still {@code expectedVersion}, and
   * moves the version on; a {@link ConflictException} when someone wrote it in between.
   */
  long update(
      String kind,
      String namespace,
      String name,
      long expectedVersion,
      String document,
      Instant now);

  /** Deletes it and what it owns, with their observation logs; false when there was none. */
  boolean delete(String kind, String namespace, String name);

  /** Appends to the observation log of the resource {@code uid} (a trial's metrics). */
  void observe(String uid, List<ObservationRecord> points);

  /** The observation log of the resource {@code uid}, in the order it was written. */
  List<ObservationRecord> observations(String uid);

  /** Empties the observation log of {@code uid} (a trial that runs again reports afresh). */
  void clearObservations(String uid);
}
