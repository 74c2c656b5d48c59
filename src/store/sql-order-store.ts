import type { SqlDatabase } from "./sql-database.ts";
import type { OrderRecord, OrderStore } from "./order-store.ts";

interface OrderRow {
  id: string;
  user_id: string;
  items_json: string;
  create_time_ms: number;
}

/** OrderStore over the schema in migrations/, for SQLite on Node and D1 on Workers. */
export function sqlOrderStore(db: SqlDatabase): OrderStore {
  return {
    async createOrder(order: OrderRecord, signal?: AbortSignal) {
      await db.query(
        "INSERT INTO orders (id, user_id, items_json, create_time_ms) VALUES (?, ?, ?, ?)",
        [order.id, order.userId, JSON.stringify(order.items), order.createTimeMs],
        signal,
      );
    },
    async getOrder(id: string, signal?: AbortSignal) {
      const rows = await db.query<OrderRow>("SELECT id, user_id, items_json, create_time_ms FROM orders WHERE id = ?", [id], signal);
      const row = rows[0];
      return (
        row && {
          id: row.id,
          userId: row.user_id,
          items: JSON.parse(row.items_json) as OrderRecord["items"],
          createTimeMs: row.create_time_ms,
        }
      );
    },
  };
}
