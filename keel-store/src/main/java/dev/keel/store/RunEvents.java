package dev.keel.store;

import java.util.List;

/** Events of runs, oldest first. */
public interface RunEvents {
  void insert(RunEventRecord event);

  List<RunEventRecord> listByRun(String runId);
}
