import { DatabaseSync } from "node:sqlite";
import type { UserFixture } from "./server-options.ts";

/**
 * Inserts `count` users into a database the template has already migrated (schema from
 * migrations/), in one transaction; straight SQL, so seeding does not depend on the
 * server under test. The first user is the one every GetUser row asks for.
 */
export function seedUsers(databasePath: string, count: number): UserFixture {
  const db = new DatabaseSync(databasePath);
  try {
    db.exec("PRAGMA busy_timeout = 5000");
    const insert = db.prepare("INSERT INTO users (id, email, display_name, create_time_ms) VALUES (?, ?, ?, ?)");
    const base = Date.UTC(2026, 0, 1);
    const users: UserFixture[] = [];
    db.exec("BEGIN");
    for (let i = 0; i < count; i++) {
      const user = {
        id: crypto.randomUUID(),
        email: `bench-${String(i).padStart(5, "0")}@example.com`,
        displayName: `Bench User ${i}`,
        createTimeMs: base + i * 1000 + 123,
      };
      insert.run(user.id, user.email, user.displayName, user.createTimeMs);
      users.push(user);
    }
    db.exec("COMMIT");
    return users[0]!;
  } finally {
    db.close();
  }
}
