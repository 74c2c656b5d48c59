import { migrate } from "../../../src/runtime/node/migrate.ts";
import { openSqliteDatabase } from "../../../src/runtime/node/sqlite.ts";
import type { Seeded } from "./corpus.ts";

/** Fills a new SQLite file with the same users and order every time: fixed ids and times. */
export async function seedDatabase(path: string): Promise<Seeded> {
  const db = openSqliteDatabase(path);
  await migrate(db);
  const id = (n: number) => `3f0c9e4e-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
  for (let n = 1; n <= 45; n++) {
    await db.query("INSERT INTO users (id, email, display_name, create_time_ms) VALUES (?, ?, ?, ?)", [
      id(n),
      `user${n}@example.com`,
      `User ${n}`,
      1_790_000_000_000 + n,
    ]);
  }
  const orderId = "9a1b2c3d-0000-4000-8000-000000000001";
  await db.query("INSERT INTO orders (id, user_id, items_json, create_time_ms) VALUES (?, ?, ?, ?)", [
    orderId,
    id(1),
    JSON.stringify([{ sku: "SKU-1", quantity: 3 }]),
    1_790_000_000_100,
  ]);
  db.close();
  return { userId: id(1), email: "user1@example.com", orderId };
}
