package dev.keel.store;

/**
 * The repositories of the store. Those of {@link Store} commit every call on its own; those of the
 * {@code Tx} handed to {@link Store#inTransaction} are bound to that one transaction.
 */
public interface Tx {
  Pipelines pipelines();

  PipelineVersions versions();

  Experiments experiments();

  Runs runs();

  Tasks tasks();

  Artifacts artifacts();

  Events events();

  Secrets secrets();

  RunEvents runEvents();

  Users users();

  Profiles profiles();

  RecurringRuns recurringRuns();

  Resources resources();
}
