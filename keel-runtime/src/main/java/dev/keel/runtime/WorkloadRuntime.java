package dev.keel.runtime;

/**
 * Where workloads run: the runtime SPI every Keel component launches work through. {@link
 * LocalRuntime} runs processes on this machine.
 */
public interface WorkloadRuntime extends AutoCloseable {
  /**
   * Starts a workload, or queues it when admission says there is no room yet. Never blocks on
   * admission and never throws for a workload that cannot run: that workload ends {@link
   * Phase#FAILED} with a reason.
   */
  Workload launch(WorkloadSpec spec);

  /** Cancels everything still running or queued. */
  @Override
  void close();
}
