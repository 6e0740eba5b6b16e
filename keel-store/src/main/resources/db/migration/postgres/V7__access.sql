-- Who may use Keel and where: built-in users with their API tokens, profiles (one namespace each,
-- with an owner and resource quota) and the contributors of a profile with their role.
CREATE TABLE users (
  name          TEXT PRIMARY KEY,
  password_hash TEXT,
  cluster_admin BOOLEAN NOT NULL DEFAULT FALSE,
  created_at    BIGINT NOT NULL
);

CREATE TABLE api_tokens (
  id           TEXT PRIMARY KEY,
  user_name    TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
  token_hash   TEXT NOT NULL UNIQUE,
  description  TEXT NOT NULL,
  created_at   BIGINT NOT NULL,
  last_used_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_name);

CREATE TABLE profiles (
  name       TEXT PRIMARY KEY,
  owner      TEXT NOT NULL,
  quota      TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE contributors (
  profile    TEXT NOT NULL REFERENCES profiles (name) ON DELETE CASCADE,
  user_name  TEXT NOT NULL,
  role       TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (profile, user_name)
);
CREATE INDEX contributors_user ON contributors (user_name);
