-- PostgreSQL's twin of migrations/0002_create_orders.sql.
CREATE TABLE orders (
  seq BIGSERIAL PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL,
  items_json TEXT NOT NULL,
  create_time_ms BIGINT NOT NULL
);
