import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { SqliteDatabase } from "./sqlite.ts";

/** The SQL migrations shared with D1 (`migrations_dir` in wrangler.toml). */
export const migrationsDir = new URL("../../../migrations/", import.meta.url).pathname;

/**
 * Applies the migrations not yet applied, in file-name order, in one transaction.
 * Bookkeeping uses wrangler's own `d1_migrations` table, so both runtimes agree on what
 * "applied" means. BEGIN IMMEDIATE takes the write lock before reading what is applied:
 * a second process starting at the same moment waits (busy timeout) and then finds
 * everything applied, instead of applying it twice.
 */
export async function migrate(db: SqliteDatabase, dir = migrationsDir): Promise<string[]> {
  db.exec("BEGIN IMMEDIATE");
  let name = "";
  try {
    db.exec(`CREATE TABLE IF NOT EXISTS d1_migrations (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      name TEXT UNIQUE,
      applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
    )`);
    const rows = await db.query<{ name: string }>("SELECT name FROM d1_migrations", []);
    const applied = new Set(rows.map((row) => row.name));
    const pending = readdirSync(dir)
      .filter((file) => file.endsWith(".sql") && !applied.has(file))
      .sort();
    for (name of pending) {
      db.exec(readFileSync(join(dir, name), "utf8"));
      await db.query("INSERT INTO d1_migrations (name) VALUES (?)", [name]);
    }
    db.exec("COMMIT");
    return pending;
  } catch (error) {
    db.exec("ROLLBACK");
    throw name ? new Error(`migration ${name} failed: ${String(error)}`, { cause: error }) : error;
  }
}
