package dev.keel.runtime;

/** The phase of a workload. */
public enum Phase {
  PENDING,
  RUNNING,
  SUCCEEDED,
  FAILED;

  /** Whether the workload has ended. */
  public boolean isTerminal() {
    return this == SUCCEEDED || this == FAILED;
  }
}
