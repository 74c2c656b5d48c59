-- The runtime config (key "config", protobuf JSON), shared by every instance on this
-- database: src/runtime/node/postgres-config.ts reads it and LISTENs for changes.
CREATE TABLE config_kv (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  update_time_ms BIGINT NOT NULL
);
