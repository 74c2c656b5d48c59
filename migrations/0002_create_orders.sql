-- Orders, with their items as a JSON array [{"sku": "...", "quantity": n}]: an order
-- is written and read whole, and one row keeps the write atomic on SQLite and D1 alike.
CREATE TABLE orders (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL,
  items_json TEXT NOT NULL,
  create_time_ms INTEGER NOT NULL
);
