import type { SqlDatabase, SqlValue } from "../../store/sql-database.ts";

/** The SqlDatabase port over a D1 binding. */
export function d1Database(db: D1Database): SqlDatabase {
  return {
    async query<Row>(sql: string, params: readonly SqlValue[]) {
      const result = await db.prepare(sql).bind(...params).all<Row>();
      return result.results;
    },
  };
}
