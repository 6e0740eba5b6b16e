package dev.keel.pipelines.spec;

/** Which upstream outcomes let a task run ({@code TriggerPolicy.TriggerStrategy}). */
public enum TriggerStrategy {
  TRIGGER_STRATEGY_UNSPECIFIED,
  ALL_UPSTREAM_TASKS_SUCCEEDED,
  ALL_UPSTREAM_TASKS_COMPLETED
}
