package dev.keel.runtime;

import java.util.concurrent.CompletableFuture;

/** A handle on one launched workload. Thread-safe. */
public interface Workload {
  /** A unique id; for a local process {@code local:<pid>} once started. */
  String id();

  /** What was asked for. */
  WorkloadSpec spec();

  /** The status now. */
  WorkloadStatus status();

  /** Completes, never exceptionally, with the terminal status. */
  CompletableFuture<WorkloadStatus> completion();

  /**
   * Stops the workload: a running process tree is killed, a queued workload never starts. It then
   * ends {@link Phase#FAILED} with reason {@code Canceled}.
   */
  void cancel();
}
