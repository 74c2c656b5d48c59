import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import type { SqlDatabase, SqlValue } from "../../store/sql-database.ts";

/** An open SQLite file: the SqlDatabase port plus what only Node's side needs. */
export interface SqliteDatabase extends SqlDatabase {
  exec(sql: string): void;
  close(): void;
}

/** Opens (creating if needed) a SQLite file with node:sqlite; ":memory:" works too. */
export function openSqliteDatabase(path: string): SqliteDatabase {
  if (path !== ":memory:") {
    mkdirSync(dirname(path), { recursive: true });
  }
  const db = new DatabaseSync(path);
  // WAL lets readers proceed during a write; busy_timeout waits out a second process.
  db.exec("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;");
  // Statements are prepared once per SQL text: the request path only binds and steps.
  const statements = new Map<string, StatementSync>();
  return {
    query<Row>(sql: string, params: readonly SqlValue[]) {
      let statement = statements.get(sql);
      if (!statement) {
        statement = db.prepare(sql);
        statements.set(sql, statement);
      }
      return Promise.resolve(statement.all(...(params as SQLInputValue[])) as Row[]);
    },
    exec(sql: string) {
      db.exec(sql);
    },
    close() {
      db.close();
    },
  };
}
