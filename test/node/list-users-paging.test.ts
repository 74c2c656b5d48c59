import { readdirSync } from "node:fs";
import { createClient } from "@connectrpc/connect";
import { beforeEach, describe, expect, it } from "vitest";
import { UserService } from "../../src/gen/acme/user/v1/user_pb.ts";
import { migrate, migrationsDir } from "../../src/runtime/node/migrate.ts";
import type { SqliteDatabase } from "../../src/runtime/node/sqlite.ts";
import { createInMemoryApp } from "./in-memory-app.ts";

let db: SqliteDatabase;
let client: ReturnType<typeof createClient<typeof UserService>>;

beforeEach(async () => {
  const app = await createInMemoryApp();
  db = app.db;
  client = createClient(UserService, app.transport);
  return () => db.close();
});

async function createUsers(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const { user } = await client.createUser({ email: `u${ids.length}-${crypto.randomUUID()}@example.com`, displayName: `U${i}` });
    ids.push(user?.id ?? "");
  }
  return ids;
}

describe("ListUsers paging", () => {
  it("should use a page size of 50 when page_size is 0", async () => {
    await createUsers(51);
    const first = await client.listUsers({});
    expect(first.users).toHaveLength(50);
    const second = await client.listUsers({ pageToken: first.nextPageToken });
    expect(second.users).toHaveLength(1);
    expect(second.nextPageToken).toBe("");
  });

  it("should end without an empty extra page when the count is a multiple of the page size", async () => {
    await createUsers(4);
    const first = await client.listUsers({ pageSize: 2 });
    const second = await client.listUsers({ pageSize: 2, pageToken: first.nextPageToken });
    expect(second.users).toHaveLength(2);
    expect(second.nextPageToken).toBe("");
  });

  it("should neither skip nor repeat users created while paging", async () => {
    const before = await createUsers(5);
    const seen: string[] = [];
    const during: string[] = [];
    let pageToken = "";
    do {
      const page = await client.listUsers({ pageSize: 2, pageToken });
      seen.push(...page.users.map((user) => user.id));
      pageToken = page.nextPageToken;
      if (during.length < 3) during.push(...(await createUsers(1)));
    } while (pageToken !== "");
    expect(seen).toEqual([...before, ...during]);
  });

  it("should reject a token that was tampered with", async () => {
    await createUsers(3);
    const { nextPageToken } = await client.listUsers({ pageSize: 1 });
    for (const token of [nextPageToken.slice(1), btoa("u1:-4"), btoa("u1:1.5"), "%%%"]) {
      await expect(client.listUsers({ pageToken: token })).rejects.toThrow(/page_token/);
    }
  });
});

describe("migrate", () => {
  it("should apply each migration once and record it like wrangler does", async () => {
    expect(await migrate(db)).toEqual([]);
    const rows = await db.query<{ name: string }>("SELECT name FROM d1_migrations", []);
    const files = readdirSync(migrationsDir)
      .filter((name) => name.endsWith(".sql"))
      .sort();
    expect(files.slice(0, 2)).toEqual(["0001_create_users.sql", "0002_create_orders.sql"]);
    expect(rows.map((row) => row.name)).toEqual(files);
  });
});
