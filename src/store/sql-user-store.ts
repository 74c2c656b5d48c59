import type { SqlDatabase } from "./sql-database.ts";
import type { NewUser, UserRecord, UserStore } from "./user-store.ts";

interface UserRow {
  seq: number;
  id: string;
  email: string;
  display_name: string;
  create_time_ms: number;
}

const columns = "seq, id, email, display_name, create_time_ms";

/** UserStore over the schema in migrations/, for SQLite on Node and D1 on Workers. */
export function sqlUserStore(db: SqlDatabase): UserStore {
  return {
    async createUser(user: NewUser, signal?: AbortSignal) {
      // ON CONFLICT DO NOTHING reports a taken email as "no row" on both engines,
      // without parsing driver-specific constraint error messages.
      const rows = await db.query<UserRow>(
        `INSERT INTO users (id, email, display_name, create_time_ms) VALUES (?, ?, ?, ?)
         ON CONFLICT (email) DO NOTHING RETURNING ${columns}`,
        [user.id, user.email, user.displayName, user.createTimeMs],
        signal,
      );
      return rows[0] && toRecord(rows[0]);
    },
    async getUser(id: string, signal?: AbortSignal) {
      const rows = await db.query<UserRow>(`SELECT ${columns} FROM users WHERE id = ?`, [id], signal);
      return rows[0] && toRecord(rows[0]);
    },
    async listUsers(afterPosition: number, limit: number, signal?: AbortSignal) {
      const rows = await db.query<UserRow>(
        `SELECT ${columns} FROM users WHERE seq > ? ORDER BY seq LIMIT ?`,
        [afterPosition, limit],
        signal,
      );
      return rows.map(toRecord);
    },
  };
}

function toRecord(row: UserRow): UserRecord {
  return {
    position: row.seq,
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    createTimeMs: row.create_time_ms,
  };
}
