// src/store/: store interfaces the services use, their SQL implementations (one SQL
// dialect for SQLite and D1), and the database handle they need (this file).

/**
 * The one thing the SQL stores need from a database: run a statement with positional
 * parameters and get its rows. Node (node:sqlite) and Workers (D1) each fill it in
 * src/runtime/, so the stores and their SQL are shared by both runtimes.
 */
export type SqlValue = string | number | null;

export interface SqlDatabase {
  /**
   * Runs one statement (`?` placeholders) and returns its result rows, if any. An
   * aborted `signal` (the RPC's deadline passed, or the client went away) fails the
   * call before the statement runs; a running statement is not interrupted.
   */
  query<Row>(sql: string, params: readonly SqlValue[], signal?: AbortSignal): Promise<Row[]>;
}
