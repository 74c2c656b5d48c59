import { readFile } from "node:fs/promises";
import { type ConfigSource, storedConfigKey } from "../../config/config-source.ts";
import type { SqliteDatabase } from "./sqlite.ts";

/**
 * The embedded default store: a key-value table in the server's own SQLite file, so
 * local runs need no config server. `npm run config -- set FILE --target node` writes it.
 */
export function sqliteConfigSource(db: SqliteDatabase): ConfigSource {
  ensureConfigTable(db);
  return {
    name: "sqlite:config_kv",
    async read() {
      const rows = await db.query<{ value: string }>("SELECT value FROM config_kv WHERE key = ?", [storedConfigKey]);
      return rows[0]?.value;
    },
  };
}

/** Stores `json` as the config (the CLI validates it first). */
export async function writeSqliteConfig(db: SqliteDatabase, json: string): Promise<void> {
  ensureConfigTable(db);
  await db.query(
    "INSERT INTO config_kv (key, value, update_time_ms) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, update_time_ms = excluded.update_time_ms",
    [storedConfigKey, json, Date.now()],
  );
}

function ensureConfigTable(db: SqliteDatabase): void {
  db.exec("CREATE TABLE IF NOT EXISTS config_kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, update_time_ms INTEGER NOT NULL)");
}

/** A mounted JSON file (CONFIG_FILE), e.g. a Kubernetes ConfigMap; missing file = nothing stored. */
export function fileConfigSource(path: string): ConfigSource {
  return {
    name: `file:${path}`,
    async read() {
      try {
        return await readFile(path, "utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw error;
      }
    },
  };
}
