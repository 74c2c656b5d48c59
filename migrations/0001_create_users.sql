-- Users, in creation order. `seq` is the keyset cursor for stable paging and export;
-- `id` is the public identifier. Applied by `wrangler d1 migrations apply` on Workers
-- and by src/runtime/node/migrate.ts on Node (same d1_migrations bookkeeping table).
CREATE TABLE users (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  email TEXT NOT NULL COLLATE NOCASE UNIQUE,
  display_name TEXT NOT NULL,
  create_time_ms INTEGER NOT NULL
);
