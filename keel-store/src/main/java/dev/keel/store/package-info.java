/**
 * Keel's persistent state: pipelines, versions, experiments, runs, tasks, artifacts and lineage
 * events in SQL (SQLite by default, PostgreSQL when shared), with Flyway migrations per dialect and
 * run leases that say which process drives a run.
 */
package dev.keel.store;
