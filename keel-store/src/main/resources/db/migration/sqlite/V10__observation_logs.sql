-- Metrics as trials report them, one row per value (Katib's observation_logs): curves are drawn
-- and early stopping decided from these; a trial's rows go when the trial does.
CREATE TABLE observation_logs (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  trial_uid   TEXT NOT NULL,
  metric_name TEXT NOT NULL,
  step        BIGINT NOT NULL,
  value       TEXT NOT NULL,
  time        BIGINT NOT NULL
);
CREATE INDEX observation_logs_trial ON observation_logs (trial_uid, metric_name);
