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
  const statements = new Map<string, { statement: StatementSync; read: boolean }>();
  const turn = readTurns(db);
  return {
    query<Row>(sql: string, params: readonly SqlValue[], signal?: AbortSignal) {
      if (signal?.aborted) {
        return Promise.reject(signal.reason);
      }
      try {
        // Inside the try: a statement SQLite cannot prepare rejects, like one that fails to run.
        let prepared = statements.get(sql);
        if (!prepared) {
          prepared = { statement: db.prepare(sql), read: /^\s*SELECT\b/i.test(sql) };
          statements.set(sql, prepared);
        }
        if (prepared.read) turn.read();
        else turn.end();
        return Promise.resolve(prepared.statement.all(...(params as SQLInputValue[])) as Row[]);
      } catch (error) {
        if (isTransient(error)) {
          return Promise.reject(new StoreUnavailableError("database is busy", { cause: error }));
        }
        return Promise.reject(error);
      }
    },
    exec(sql: string) {
      turn.end();
      db.exec(sql);
    },
    close() {
      turn.end();
      db.close();
    },
  };
}

/**
 * The reads of one event-loop turn share one read transaction, ended (COMMIT) when the
 * turn is over (setImmediate) or before anything else runs: a write, exec, close.
 *
 * Why: in WAL mode each read transaction takes and releases a read lock on the -shm
 * file, two fcntl system calls, most of a point read's cost (~6-11 µs against ~2.5 µs
 * without; docs/performance.md). Under load, the calls of one turn each read, so they
 * now share one lock.
 *
 * What it changes: a read sees the database as of the turn's first read, plus this
 * process's own writes (a write ends the read transaction first, so reads after it
 * start a new one). Another process's commit made during the turn shows from the next
 * turn on, as if the reads had run a moment earlier. Reads inside a transaction someone
 * else began (migrate's BEGIN IMMEDIATE) join it, as they always did.
 */
function readTurns(db: DatabaseSync): { read(): void; end(): void } {
  const begin = db.prepare("BEGIN");
  const commit = db.prepare("COMMIT");
  let open = false;
  const end = () => {
    if (!open) return;
    open = false;
    // SQLite may have ended the transaction itself (it rolls back on some errors).
    if (!db.isTransaction) return;
    try {
      commit.run();
    } catch {
      // Ending a read-only transaction does not fail in practice; if it did, a rollback
      // ends it too (and if that fails, so does the process: reads must not stay in it).
      db.exec("ROLLBACK");
    }
  };
  return {
    read() {
      // Ours, still open, or another's: the read joins it.
      if (db.isTransaction) return;
      begin.run();
      if (!open) {
        open = true;
        setImmediate(end);
      }
    },
    end,
  };
}
