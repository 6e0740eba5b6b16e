-- Recurring runs (KFP's RecurringRun): a schedule that starts runs of one pipeline. Each fire is
-- recorded once, keyed by its scheduled time, before its run is made: a restarted scheduler never
-- fires a time twice, and finishes the run of a fire a crash interrupted.
CREATE TABLE recurring_runs (
  id                  TEXT PRIMARY KEY,
  namespace           TEXT NOT NULL,
  experiment_id       TEXT NOT NULL,
  display_name        TEXT NOT NULL,
  description         TEXT,
  pipeline_version_id TEXT,
  pipeline_spec       TEXT,
  runtime_config      TEXT NOT NULL,
  cron                TEXT,
  interval_seconds    BIGINT,
  start_time          BIGINT,
  end_time            BIGINT,
  max_concurrency     INTEGER NOT NULL,
  no_catchup          BOOLEAN NOT NULL,
  enabled             BOOLEAN NOT NULL,
  time_zone           TEXT NOT NULL,
  created_at          BIGINT NOT NULL,
  updated_at          BIGINT NOT NULL,
  last_scheduled_at   BIGINT,
  fires               BIGINT NOT NULL
);
CREATE INDEX recurring_runs_ns_created ON recurring_runs (namespace, created_at DESC, id DESC);

CREATE TABLE recurring_run_fires (
  recurring_run_id TEXT NOT NULL REFERENCES recurring_runs (id) ON DELETE CASCADE,
  scheduled_at     BIGINT NOT NULL,
  fire_index       BIGINT NOT NULL,
  run_id           TEXT,
  fired_at         BIGINT NOT NULL,
  PRIMARY KEY (recurring_run_id, scheduled_at)
);
CREATE INDEX runs_recurring ON runs (recurring_run_id);
