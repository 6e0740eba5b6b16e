package dev.keel.pipelines;

/**
 * The state of one task of a run. Names follow KFP: {@code CACHED} is a cache hit (shown by the API
 * as {@code SKIPPED}), {@code NOT_TRIGGERED} a task whose trigger policy did not hold.
 */
public enum TaskState {
  PENDING,
  RUNNING,
  SUCCEEDED,
  CACHED,
  FAILED,
  CANCELED,
  NOT_TRIGGERED,
  SKIPPED;

  /** Whether the task has ended. */
  public boolean isTerminal() {
    return this != PENDING && this != RUNNING;
  }

  /** Whether the task ended with its outputs available to downstream tasks. */
  public boolean isSuccess() {
    return this == SUCCEEDED || this == CACHED;
  }

  /** The KFP API {@code RuntimeState} name for this state. */
  public String apiName() {
    return switch (this) {
      case CACHED, NOT_TRIGGERED, SKIPPED -> "SKIPPED";
      default -> name();
    };
  }
}
