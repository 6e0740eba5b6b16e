-- Keel's store: KFP-shaped pipelines, experiments, runs, tasks, artifacts and lineage events.
-- Timestamps are epoch milliseconds (BIGINT) so that SQLite and PostgreSQL sort them alike.

CREATE TABLE pipelines (
  id           TEXT PRIMARY KEY,
  namespace    TEXT NOT NULL,
  name         TEXT NOT NULL,
  display_name TEXT,
  description  TEXT,
  created_at   BIGINT NOT NULL,
  UNIQUE (namespace, name)
);
CREATE INDEX pipelines_ns_created ON pipelines (namespace, created_at DESC, id DESC);

CREATE TABLE pipeline_versions (
  id            TEXT PRIMARY KEY,
  pipeline_id   TEXT NOT NULL REFERENCES pipelines (id) ON DELETE CASCADE,
  name          TEXT NOT NULL,
  display_name  TEXT,
  description   TEXT,
  pipeline_spec TEXT NOT NULL,
  platform_spec TEXT,
  created_at    BIGINT NOT NULL,
  UNIQUE (pipeline_id, name)
);
CREATE INDEX pipeline_versions_created ON pipeline_versions (pipeline_id, created_at DESC, id DESC);

CREATE TABLE experiments (
  id                  TEXT PRIMARY KEY,
  namespace           TEXT NOT NULL,
  display_name        TEXT NOT NULL,
  description         TEXT,
  storage_state       TEXT NOT NULL,
  created_at          BIGINT NOT NULL,
  last_run_created_at BIGINT,
  UNIQUE (namespace, display_name)
);
CREATE INDEX experiments_ns_created ON experiments (namespace, created_at DESC, id DESC);

CREATE TABLE runs (
  id                  TEXT PRIMARY KEY,
  namespace           TEXT NOT NULL,
  experiment_id       TEXT,
  pipeline_version_id TEXT,
  display_name        TEXT,
  description         TEXT,
  pipeline_name       TEXT,
  pipeline_spec       TEXT NOT NULL,
  platform_spec       TEXT,
  runtime_config      TEXT,
  state               TEXT NOT NULL,
  error               TEXT,
  storage_state       TEXT NOT NULL,
  created_at          BIGINT NOT NULL,
  scheduled_at        BIGINT,
  finished_at         BIGINT,
  recurring_run_id    TEXT,
  outputs             TEXT,
  state_history       TEXT NOT NULL,
  lease_owner         TEXT,
  lease_expires_at    BIGINT
);
CREATE INDEX runs_created ON runs (created_at DESC, id DESC);
CREATE INDEX runs_ns_created ON runs (namespace, created_at DESC, id DESC);
CREATE INDEX runs_experiment_created ON runs (experiment_id, created_at DESC, id DESC);
CREATE INDEX runs_state ON runs (state);

CREATE TABLE tasks (
  id                  TEXT PRIMARY KEY,
  run_id              TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  parent_task_id      TEXT,
  path                TEXT NOT NULL,
  name                TEXT,
  display_name        TEXT,
  component_name      TEXT,
  state               TEXT NOT NULL,
  attempt             INTEGER NOT NULL,
  fingerprint         TEXT,
  cached_from_task_id TEXT,
  inputs              TEXT,
  outputs             TEXT,
  error               TEXT,
  workload_id         TEXT,
  pid                 BIGINT,
  pid_started_at      BIGINT,
  log_path            TEXT,
  created_at          BIGINT NOT NULL,
  started_at          BIGINT,
  finished_at         BIGINT,
  UNIQUE (run_id, path)
);
CREATE INDEX tasks_fingerprint ON tasks (fingerprint, state, finished_at DESC);

CREATE TABLE artifacts (
  id           TEXT PRIMARY KEY,
  run_id       TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  task_id      TEXT,
  name         TEXT,
  uri          TEXT,
  schema_title TEXT,
  metadata     TEXT,
  created_at   BIGINT NOT NULL
);
CREATE INDEX artifacts_run ON artifacts (run_id);
CREATE INDEX artifacts_task ON artifacts (task_id);

CREATE TABLE events (
  id          TEXT PRIMARY KEY,
  task_id     TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  artifact_id TEXT NOT NULL,
  type        TEXT NOT NULL,
  event_key   TEXT,
  created_at  BIGINT NOT NULL
);
CREATE INDEX events_task ON events (task_id);
CREATE INDEX events_artifact ON events (artifact_id);
