/**
 * Keel's persistent state: pipelines, versions, experiments, runs, tasks, artifacts, lineage events
 * and secrets in SQL (SQLite by default, PostgreSQL when shared), with Flyway migrations per
 * dialect ({@code db/migration/sqlite}, {@code db/migration/postgres}) and run leases that say
 * which process drives a run.
 *
 * <p>Open a {@link dev.keel.store.Store}; its repositories ({@link dev.keel.store.Runs}, {@link
 * dev.keel.store.Tasks}, …) commit every call, and {@link dev.keel.store.Store#inTransaction}
 * groups calls into one commit. Records carry JSON as plain text and instants in UTC with
 * millisecond precision (stored as epoch milliseconds, so that both databases sort alike). Listings
 * page by keyset with opaque tokens. A duplicate throws {@link dev.keel.store.ConflictException}; a
 * write to a missing row, or a row whose parent is missing, throws {@link
 * dev.keel.store.NotFoundException}.
 */
package dev.keel.store;
