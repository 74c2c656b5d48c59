-- Twin of migrations-postgres/0003_create_config_kv.sql. On SQLite the Node config store
-- (src/runtime/node/config-sources.ts) creates the same table itself, hence IF NOT EXISTS;
-- D1 does not use it (the Worker's config lives in Workers KV).
CREATE TABLE IF NOT EXISTS config_kv (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  update_time_ms INTEGER NOT NULL
);
