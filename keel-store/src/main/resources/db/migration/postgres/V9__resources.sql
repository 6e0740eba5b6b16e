-- Resources in Kubernetes shape (Katib Experiments and Trials first): one row per kind, namespace
-- and name, the whole document (metadata, spec, status) as JSON, and a resource version that
-- every write moves on, for optimistic concurrency.
CREATE TABLE resources (
  kind             TEXT NOT NULL,
  namespace        TEXT NOT NULL,
  name             TEXT NOT NULL,
  uid              TEXT NOT NULL UNIQUE,
  owner_uid        TEXT,
  resource_version BIGINT NOT NULL,
  document         TEXT NOT NULL,
  created_at       BIGINT NOT NULL,
  updated_at       BIGINT NOT NULL,
  PRIMARY KEY (kind, namespace, name)
);
CREATE INDEX resources_owner ON resources (owner_uid);
