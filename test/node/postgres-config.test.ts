import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserService } from "../../src/gen/acme/user/v1/user_pb.ts";
import { withAuthorization } from "../shared/test-auth.ts";
import { configFile } from "./config-files.ts";
import { type PostgresServer, startPostgres } from "./postgres.ts";
import { type ServerProcess, startServerProcess } from "./server-process.ts";
import { testAuth } from "./test-auth-key.ts";

const run = promisify(execFile);
const cli = new URL("../../scripts/config/main.ts", import.meta.url).pathname;

let postgres: PostgresServer;
let databaseUrl: string;
const servers: ServerProcess[] = [];
beforeAll(async () => {
  postgres = await startPostgres();
  databaseUrl = await postgres.createDatabase("fleet_config");
  // Polling once a minute: a change seen within a second came by NOTIFY.
  const env = { DATABASE_URL: databaseUrl, CONFIG_REFRESH_MS: "60000" };
  servers.push(...(await Promise.all([startServerProcess(env), startServerProcess(env)])));
}, 60_000);
afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  await postgres?.remove();
});

/** `npm run config -- ...args` against the fleet's database (or `url`). */
async function config(...args: string[]) {
  return configOn(databaseUrl, ...args);
}

async function configOn(url: string, ...args: string[]) {
  const { stdout } = await run(process.execPath, [cli, ...args], { env: { ...process.env, DATABASE_URL: url } });
  return stdout;
}

/**
 * Which config a server is on, without changing data: an empty CreateUser fails in
 * maintenance with the maintenance message (the version), else with invalid_argument.
 */
async function probe(server: ServerProcess): Promise<string> {
  const transport = createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", interceptors: [withAuthorization(testAuth.bearer)] });
  try {
    await createClient(UserService, transport).createUser({ email: "", displayName: "X" });
    return "accepted";
  } catch (error) {
    return ConnectError.from(error).rawMessage;
  }
}

const version = (message: string) => ({ maintenance: { enabled: true, retryAfterSeconds: 30, message } });

/** Milliseconds until every server answers with `message` in the probe, or undefined after `withinMs`. */
async function untilAll(message: string, withinMs: number): Promise<number | undefined> {
  const start = performance.now();
  while (performance.now() - start < withinMs) {
    const seen = await Promise.all(servers.map(probe));
    if (seen.every((text) => text.includes(message))) return performance.now() - start;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return undefined;
}

describe("Runtime config across a fleet on PostgreSQL", () => {
  it("should apply `npm run config -- set --target node` on every instance within 1 s", async () => {
    expect(await probe(servers[0] as ServerProcess)).toContain("email");
    // A first change, with time to spare, shows both listeners are in place.
    await config("set", configFile(version("v0")), "--target", "node");
    expect(await untilAll("v0", 10_000)).toBeDefined();
    const set = await config("set", configFile(version("v1")), "--target", "node");
    expect(set).toContain("written to PostgreSQL store");
    expect(await untilAll("v1", 1000)).toBeDefined();
  }, 30_000);

  it("should get and diff what PostgreSQL holds", async () => {
    expect(JSON.parse(await config("get", "--target", "node"))).toEqual(version("v1"));
    expect(await config("diff", configFile(version("v1")), "--target", "node")).toContain("no change");
    const diff = await config("diff", configFile(version("v2")), "--target", "node");
    expect(diff).toContain('-    "message": "v1"');
    expect(diff).toContain('+    "message": "v2"');
    expect(await untilAll("v1", 1000)).toBeDefined(); // diff wrote nothing
  }, 30_000);

  it("should ignore a bad value written behind the CLI's back, keeping the last good config", async () => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await client.query("BEGIN");
      await client.query("UPDATE config_kv SET value = $1 WHERE key = 'config'", [
        JSON.stringify({ userListing: { defaultPageSize: 500, maxPageSize: 100 } }),
      ]);
      await client.query("NOTIFY config_changed");
      await client.query("COMMIT");
    } finally {
      await client.end();
    }
    for (const server of servers) {
      await expect.poll(() => server.stdout(), { timeout: 5000 }).toContain("stored config rejected");
    }
    expect(await Promise.all(servers.map(probe))).toEqual([expect.stringContaining("v1"), expect.stringContaining("v1")]);
    // The next good write takes effect as usual.
    await config("set", configFile(version("v3")), "--target", "node");
    expect(await untilAll("v3", 1000)).toBeDefined();
  }, 30_000);

  it("should poll while its listening connection is lost, and listen again once PostgreSQL is back", async () => {
    const server = await startServerProcess({ DATABASE_URL: databaseUrl, CONFIG_REFRESH_MS: "300" });
    try {
      await postgres.stop();
      await expect.poll(() => server.stdout(), { timeout: 5000 }).toContain("config listener lost");
      await postgres.start();
      await expect.poll(() => server.stdout(), { timeout: 10_000 }).toContain("config listener back, polling stopped");
      await config("set", configFile(version("v4")), "--target", "node");
      await expect.poll(() => probe(server), { timeout: 1000, interval: 20 }).toContain("v4");
    } finally {
      await server.stop();
    }
  }, 60_000);

  it("should not change the schema from the CLI: before any server ran, nothing is stored and set says to start one", async () => {
    const fresh = await postgres.createDatabase("config_cli_only");
    expect(await configOn(fresh, "get", "--target", "node")).toContain("nothing stored");
    const set = await configOn(fresh, "set", configFile(version("v5")), "--target", "node").then(
      () => "written",
      (error: { stderr: string }) => error.stderr,
    );
    expect(set).toContain("PostgreSQL has no config_kv table yet: start the server once on this DATABASE_URL");
    const client = new pg.Client({ connectionString: fresh });
    await client.connect();
    try {
      const { rows } = await client.query("SELECT count(*)::int AS tables FROM pg_tables WHERE schemaname = 'public'");
      expect(rows[0].tables).toBe(0);
    } finally {
      await client.end();
    }
  }, 30_000);
});
