package dev.keel.pipelines;

import dev.keel.store.RunRecord;
import dev.keel.store.TaskRecord;

/**
 * Hears what the engine does, for live progress. Called on the engine's thread: implementations
 * must return quickly and must not call back into the engine.
 */
public interface EngineListener {
  /** A task was recorded in a new state. */
  default void taskChanged(RunRecord run, TaskRecord task) {}

  /** A run was recorded in a new state. */
  default void runChanged(RunRecord run) {}

  /** A line worth telling the user (a warning, a retry, a resumed task). */
  default void note(String runId, String message) {}

  /** Listens to nothing. */
  EngineListener NONE = new EngineListener() {};
}
