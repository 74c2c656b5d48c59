import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import type { SqlDatabase, SqlValue } from "../../store/sql-database.ts";
import { StoreUnavailableError } from "../../store/store-unavailable.ts";

/** SQLITE_BUSY and SQLITE_LOCKED (primary codes): another connection holds the lock. */
const transientCodes = new Set([5, 6]);

/** An open SQLite file: the SqlDatabase port plus what only Node's side needs. */
export interface SqliteDatabase extends SqlDatabase {
  exec(sql: string): void;
  close(): void;
}

/** Opens (creating if needed) a SQLite file with node:sqlite; ":memory:" works too. */
export function openSqliteDatabase(path: string, options: { busyTimeoutMs?: number } = {}): SqliteDatabase {
  if (path !== ":memory:") {
    mkdirSync(dirname(path), { recursive: true });
  }
  const db = new DatabaseSync(path);
  // WAL lets readers proceed during a write; busy_timeout waits out a second process.
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  db.exec(`PRAGMA journal_mode = WAL; PRAGMA busy_timeout = ${busyTimeoutMs}; PRAGMA foreign_keys = ON;`);
  // Statements are prepared once per SQL text: the request path only binds and steps.
  const statements = new Map<string, StatementSync>();
  return {
    query<Row>(sql: string, params: readonly SqlValue[], signal?: AbortSignal) {
      if (signal?.aborted) {
        return Promise.reject(signal.reason);
      }
      let statement = statements.get(sql);
      if (!statement) {
        statement = db.prepare(sql);
        statements.set(sql, statement);
      }
      try {
        return Promise.resolve(statement.all(...(params as SQLInputValue[])) as Row[]);
      } catch (error) {
        const code = (error as { errcode?: number }).errcode;
        if (code !== undefined && transientCodes.has(code & 0xff)) {
          return Promise.reject(new StoreUnavailableError("database is busy", { cause: error }));
        }
        return Promise.reject(error);
      }
    },
    exec(sql: string) {
      db.exec(sql);
    },
    close() {
      db.close();
    },
  };
}
