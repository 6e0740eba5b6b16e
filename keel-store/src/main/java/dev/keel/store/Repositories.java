package dev.keel.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The repositories of the store, each over one table. */
public final class Repositories {
  private Repositories() {}

  /** Stored pipelines. */
  public interface Pipelines {
    void insert(PipelineRecord p);

    Optional<PipelineRecord> get(String id);

    Optional<PipelineRecord> getByName(String namespace, String name);

    Page<PipelineRecord> list(String namespace, int pageSize, String pageToken);

    void delete(String id);
  }

  /** Versions of stored pipelines. */
  public interface PipelineVersions {
    void insert(PipelineVersionRecord v);

    Optional<PipelineVersionRecord> get(String id);

    Optional<PipelineVersionRecord> latest(String pipelineId);

    Page<PipelineVersionRecord> list(String pipelineId, int pageSize, String pageToken);

    void delete(String id);
  }

  /** Experiments. */
  public interface Experiments {
    void insert(ExperimentRecord e);

    Optional<ExperimentRecord> get(String id);

    Optional<ExperimentRecord> getByName(String namespace, String displayName);

    /** The namespace's {@code Default} experiment, created on first use. */
    ExperimentRecord getOrCreateDefault(String namespace, Instant now);

    Page<ExperimentRecord> list(String namespace, int pageSize, String pageToken);

    void setStorageState(String id, String storageState);

    void delete(String id);
  }

  /** Runs, their state history and their leases. */
  public interface Runs {
    void insert(RunRecord run);

    Optional<RunRecord> get(String id);

    /** Newest first; {@code null} namespace or experiment means any. Keyset pagination. */
    Page<RunRecord> list(String namespace, String experimentId, int pageSize, String pageToken);

    /** Sets the state and appends it to the state history. */
    void updateState(String id, String state, String error, Instant at, Instant finishedAt);

    void setOutputs(String id, String outputsJson);

    void setStorageState(String id, String storageState);

    /** Runs in PENDING, RUNNING or CANCELING. */
    List<RunRecord> listUnfinished();

    /** Takes the lease when it is free, ours already, or expired. */
    boolean acquireLease(String runId, String owner, Instant now, Duration ttl);

    /** Extends our lease; false when someone else holds it. */
    boolean renewLease(String runId, String owner, Instant now, Duration ttl);

    void releaseLease(String runId, String owner);

    /** The owner of a lease that has not expired. */
    Optional<String> leaseOwner(String runId, Instant now);

    /** Deletes the run with its tasks, artifacts and events. */
    void delete(String id);
  }

  /** Tasks (executions) of runs. */
  public interface Tasks {
    /** Inserts the task unless (runId, path) exists; returns the stored row either way. */
    TaskRecord insertIfAbsent(TaskRecord task);

    void update(TaskRecord task);

    Optional<TaskRecord> get(String id);

    Optional<TaskRecord> getByPath(String runId, String path);

    List<TaskRecord> listByRun(String runId);

    /** The newest SUCCEEDED task with this fingerprint in a run of this namespace and pipeline. */
    Optional<TaskRecord> findCached(String namespace, String pipelineName, String fingerprint);
  }

  /** Artifacts. */
  public interface Artifacts {
    void insert(ArtifactRecord a);

    Optional<ArtifactRecord> get(String id);

    List<ArtifactRecord> listByTask(String taskId);

    List<ArtifactRecord> listByRun(String runId);
  }

  /** Secrets by namespace and name: key/value data for tasks' environments. */
  public interface Secrets {
    /** Creates the secret or replaces its data. */
    void put(String namespace, String name, Map<String, String> data, Instant now);

    Optional<Map<String, String>> get(String namespace, String name);

    /** Secret names in a namespace, sorted. */
    List<String> list(String namespace);

    /** Deletes the secret; false when there was none. */
    boolean delete(String namespace, String name);
  }

  /** Lineage events. */
  public interface Events {
    void insert(EventRecord e);

    List<EventRecord> listByTask(String taskId);

    List<EventRecord> listByArtifact(String artifactId);
  }
}
