-- What the engine did to a run and why: retries, take-overs, settings it could not apply.
CREATE TABLE run_events (
  id         TEXT PRIMARY KEY,
  run_id     TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  type       TEXT NOT NULL,
  message    TEXT NOT NULL
);
CREATE INDEX run_events_run ON run_events (run_id, created_at);
