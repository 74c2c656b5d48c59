import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { PostgresDatabase } from "./postgres.ts";

/**
 * PostgreSQL's migrations: the same numbering and names as migrations/ (SQLite and D1),
 * one file per SQLite file, written in PostgreSQL's dialect where the two differ.
 */
export const postgresMigrationsDir = new URL("../../../migrations-postgres/", import.meta.url).pathname;

/** Any fixed number: the advisory lock all instances of this app take to migrate. */
const migrationLock = 0x6d696772; // "migr"

/**
 * Applies the migrations not yet applied, in file-name order, each in a transaction, under
 * an advisory lock: a second instance starting at the same moment waits for the first and
 * then finds them applied. Bookkeeping is the `d1_migrations` table, as on SQLite and D1.
 */
export async function migratePostgres(db: PostgresDatabase, dir = postgresMigrationsDir): Promise<string[]> {
  const client = await db.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [migrationLock]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS d1_migrations (
        id SERIAL PRIMARY KEY,
        name TEXT UNIQUE,
        applied_at TIMESTAMPTZ DEFAULT now() NOT NULL
      )`);
      const { rows } = await client.query<{ name: string }>("SELECT name FROM d1_migrations");
      const applied = new Set(rows.map((row) => row.name));
      const pending = readdirSync(dir)
        .filter((name) => name.endsWith(".sql") && !applied.has(name))
        .sort();
      for (const name of pending) {
        await client.query("BEGIN");
        try {
          await client.query(readFileSync(join(dir, name), "utf8"));
          await client.query("INSERT INTO d1_migrations (name) VALUES ($1)", [name]);
          await client.query("COMMIT");
        } catch (error) {
          await client.query("ROLLBACK");
          throw new Error(`migration ${name} failed: ${String(error)}`, { cause: error });
        }
      }
      return pending;
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [migrationLock]);
    }
  } finally {
    client.release();
  }
}
