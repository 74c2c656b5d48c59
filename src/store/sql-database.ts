/**
 * The one thing the SQL stores need from a database: run a statement with positional
 * parameters and get its rows. Node (node:sqlite) and Workers (D1) each fill it in
 * src/runtime/, so the stores and their SQL are shared by both runtimes.
 */
export type SqlValue = string | number | null;

export interface SqlDatabase {
  /** Runs one statement (`?` placeholders) and returns its result rows, if any. */
  query<Row>(sql: string, params: readonly SqlValue[]): Promise<Row[]>;
}
