import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import type { SqlDatabase, SqlValue } from "../../store/sql-database.ts";
import { StoreUnavailableError } from "../../store/store-unavailable.ts";

/** SQLITE_BUSY and SQLITE_LOCKED (primary codes): another connection holds the lock. */
const transientCodes = new Set([5, 6]);

/** Runs `step` again every 10 ms while SQLite answers busy, for up to `timeoutMs`. */
function retryWhileBusy(step: () => void, timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      step();
      return;
    } catch (error) {
      if (!isTransient(error) || Date.now() >= deadline) {
        throw error;
      }
      // A synchronous sleep: this runs once, while opening, before anything is served.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}

function isTransient(error: unknown): boolean {
  const code = (error as { errcode?: number }).errcode;
  return code !== undefined && transientCodes.has(code & 0xff);
}

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
  // The busy timeout is set when opening, before the first statement: switching a fresh
  // file to WAL takes a lock too, and a second process starting at the same moment must
  // wait for it rather than fail with "database is locked".
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  const db = new DatabaseSync(path, { timeout: busyTimeoutMs });
  // WAL lets readers proceed during a write. Switching a fresh file to it needs an exclusive
  // lock that SQLite does not wait for (no busy handler there), so it is retried here.
  retryWhileBusy(() => db.exec("PRAGMA journal_mode = WAL"), busyTimeoutMs);
  db.exec("PRAGMA foreign_keys = ON");
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
        if (isTransient(error)) {
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
