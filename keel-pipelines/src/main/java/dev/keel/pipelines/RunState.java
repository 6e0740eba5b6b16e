package dev.keel.pipelines;

/** The state of a run, with KFP's {@code RuntimeState} names. */
public enum RunState {
  PENDING,
  RUNNING,
  SUCCEEDED,
  SKIPPED,
  FAILED,
  CANCELING,
  CANCELED,
  PAUSED;

  /** Whether the run has ended and will not change unless retried. */
  public boolean isTerminal() {
    return this == SUCCEEDED || this == SKIPPED || this == FAILED || this == CANCELED;
  }
}
