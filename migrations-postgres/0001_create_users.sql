-- PostgreSQL's twin of migrations/0001_create_users.sql (same name, same schema): applied by
-- src/runtime/node/postgres-migrate.ts when DATABASE_URL is set. BIGINT columns are read back
-- as JavaScript numbers (src/runtime/node/postgres.ts). Case-insensitive email uniqueness, as
-- SQLite's COLLATE NOCASE, comes from a nondeterministic ICU collation.
CREATE COLLATION IF NOT EXISTS nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TABLE users (
  seq BIGSERIAL PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  email TEXT COLLATE nocase NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  create_time_ms BIGINT NOT NULL
);
