-- Secrets that pipeline tasks read as environment variables (kfp-kubernetes secretAsEnv).
CREATE TABLE secrets (
  namespace  TEXT NOT NULL,
  name       TEXT NOT NULL,
  data       TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (namespace, name)
);
