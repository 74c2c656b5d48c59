import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { SqliteDatabase } from "./sqlite.ts";

/** The SQL migrations shared with D1 (`migrations_dir` in wrangler.toml). */
export const migrationsDir = new URL("../../../migrations/", import.meta.url).pathname;

/**
 * Applies the migrations not yet applied, in file-name order, each in a transaction.
 * Bookkeeping uses wrangler's own `d1_migrations` table, so both runtimes agree on what
 * "applied" means.
 */
export async function migrate(db: SqliteDatabase, dir = migrationsDir): Promise<string[]> {
  db.exec(`CREATE TABLE IF NOT EXISTS d1_migrations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT UNIQUE,
    applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
  )`);
  const rows = await db.query<{ name: string }>("SELECT name FROM d1_migrations", []);
  const applied = new Set(rows.map((row) => row.name));
  const pending = readdirSync(dir)
    .filter((name) => name.endsWith(".sql") && !applied.has(name))
    .sort();
  for (const name of pending) {
    db.exec("BEGIN");
    try {
      db.exec(readFileSync(join(dir, name), "utf8"));
      await db.query("INSERT INTO d1_migrations (name) VALUES (?)", [name]);
      db.exec("COMMIT");
    } catch (error) {
      db.exec("ROLLBACK");
      throw new Error(`migration ${name} failed: ${String(error)}`, { cause: error });
    }
  }
  return pending;
}
