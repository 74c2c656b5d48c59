import type { SqlDatabase, SqlValue } from "../../store/sql-database.ts";
import { StoreUnavailableError } from "../../store/store-unavailable.ts";

/** D1 errors Cloudflare documents as transient (worth a retry). */
const transient =
  /Network connection lost|object to be reset|reset because its code was updated|overloaded|transient issue|exceeded timeout/i;

/** The SqlDatabase port over a D1 binding. */
export function d1Database(db: D1Database): SqlDatabase {
  return {
    async query<Row>(sql: string, params: readonly SqlValue[], signal?: AbortSignal) {
      signal?.throwIfAborted();
      try {
        const result = await db
          .prepare(sql)
          .bind(...params)
          .all<Row>();
        return result.results;
      } catch (error) {
        if (error instanceof Error && transient.test(error.message)) {
          throw new StoreUnavailableError("D1 is temporarily unavailable", { cause: error });
        }
        throw error;
      }
    },
  };
}
