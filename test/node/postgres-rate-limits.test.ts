import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserService } from "../../src/gen/acme/user/v1/user_pb.ts";
import { type PostgresServer, startPostgres } from "./postgres.ts";
import { type ServerProcess, startServerProcess } from "./server-process.ts";
import { testAuth } from "./test-auth-key.ts";

const limit = 4;
let postgres: PostgresServer;
let databaseUrl: string;
const servers: ServerProcess[] = [];
beforeAll(async () => {
  postgres = await startPostgres();
  databaseUrl = await postgres.createDatabase("fleet_limits");
  const env = { DATABASE_URL: databaseUrl, CONFIG_RATE_LIMITS_REQUESTS: String(limit), CONFIG_RATE_LIMITS_PERIOD_SECONDS: "60" };
  servers.push(...(await Promise.all([startServerProcess(env), startServerProcess(env)])));
}, 60_000);
afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  await postgres?.remove();
});

/** ListUsers as `sub` through `server`: "ok" or the error code's name. */
async function listUsers(server: ServerProcess | undefined, sub: string): Promise<string> {
  const token = await testAuth.mint({ sub });
  const transport = createConnectTransport({ baseUrl: (server as ServerProcess).url, httpVersion: "1.1" });
  try {
    await createClient(UserService, transport).listUsers({}, { headers: { authorization: `Bearer ${token}` } });
    return "ok";
  } catch (error) {
    return Code[ConnectError.from(error).code];
  }
}

/** `count` calls as `sub`, alternating between the two servers. */
async function alternate(sub: string, count: number): Promise<string[]> {
  const outcomes: string[] = [];
  for (let i = 0; i < count; i++) outcomes.push(await listUsers(servers[i % 2], sub));
  return outcomes;
}

describe("Rate limits across a fleet on PostgreSQL", () => {
  it("should share a caller's budget between instances", async () => {
    expect(await alternate("ada", limit)).toEqual(Array(limit).fill("ok"));
    // Each instance has seen only half of the calls; together they are at the limit.
    expect(await listUsers(servers[0], "ada")).toBe("ResourceExhausted");
    expect(await listUsers(servers[1], "ada")).toBe("ResourceExhausted");
    // Another caller has a budget of its own.
    expect(await listUsers(servers[1], "bob")).toBe("ok");
  });

  it("should let calls through and log when the counting store fails", async () => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await client.query("ALTER TABLE rate_limits RENAME TO rate_limits_away");
      try {
        expect(await alternate("carol", limit + 2)).toEqual(Array(limit + 2).fill("ok"));
      } finally {
        await client.query("ALTER TABLE rate_limits_away RENAME TO rate_limits");
      }
    } finally {
      await client.end();
    }
    // A warning of the server's own (calls go on), not a config line; log lines leave in
    // batches, within 100 ms (batchedDestination).
    for (const server of servers) {
      const warning = () =>
        server
          .stdout()
          .split("\n")
          .find((l) => l.includes("rate limit store failed, letting calls through"));
      await expect.poll(warning, { timeout: 2000, interval: 10 }).toBeDefined();
      expect(JSON.parse(warning() ?? "{}")).toMatchObject({ level: "warn", source: "postgres:rate_limits" });
    }
    // Counting again once the store is back.
    expect(await alternate("dave", limit + 1)).toEqual([...Array(limit).fill("ok"), "ResourceExhausted"]);
  });
});
