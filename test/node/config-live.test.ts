import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Code, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, describe, expect, it } from "vitest";
import { OrderService } from "../../src/gen/acme/order/v1/order_pb.ts";
import { UserService } from "../../src/gen/acme/user/v1/user_pb.ts";
import { writeSqliteConfig } from "../../src/runtime/node/config-sources.ts";
import { openSqliteDatabase } from "../../src/runtime/node/sqlite.ts";
import { failure } from "../shared/expect-failure.ts";
import { uniqueEmail } from "../shared/user-service-contract.ts";
import { configFile } from "./config-files.ts";
import { startServerProcess } from "./server-process.ts";
import { withAuthorization } from "../shared/test-auth.ts";
import { testAuth } from "./test-auth-key.ts";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "config-live-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Polls `check` until it holds; resolves to how long that took. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < ms) {
    if (await check()) return Date.now() - start;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`condition not met within ${ms} ms`);
}

describe("config changes reach a running `npm start`", () => {
  it("should apply a config set with the CLI within 2 seconds, and ignore a bad one written behind its back", async () => {
    const env = { DATABASE_PATH: join(dir, "app.db") }; // default refresh interval (1 s)
    const server = await startServerProcess(env);
    try {
      const users = createClient(
        UserService,
        createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", interceptors: [withAuthorization(testAuth.bearer)] }),
      );
      await users.createUser({ email: uniqueEmail(), displayName: "Before" });

      const cli = new URL("../../scripts/config/main.ts", import.meta.url).pathname;
      await run(process.execPath, [cli, "set", configFile({ maintenance: { enabled: true, retryAfterSeconds: 30 } }), "--target", "node"], {
        env: { ...process.env, ...env },
      });
      const inMaintenance = async () =>
        (await failure(users.createUser({ email: uniqueEmail(), displayName: "During" })).catch(() => undefined))?.code ===
        Code.Unavailable;
      expect(await within(2_500, inMaintenance)).toBeLessThan(2_500);
      expect((await users.listUsers({})).users.length).toBeGreaterThan(0); // reads still work

      const db = openSqliteDatabase(env.DATABASE_PATH);
      await writeSqliteConfig(db, JSON.stringify({ maintenance: { enabled: false, retryAfterSeconds: 0 } }));
      db.close();
      await within(5_000, async () => server.stdout().includes("maintenance.retry_after_seconds"));
      expect(await inMaintenance()).toBe(true); // the last good config stays
      const line = server
        .stdout()
        .split("\n")
        .find((l) => l.includes("maintenance.retry_after_seconds"));
      expect(JSON.parse(line ?? "{}")).toMatchObject({
        level: "error",
        source: "sqlite:config_kv",
        msg: expect.stringContaining("rejected"),
      });
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it("should watch a mounted JSON file (CONFIG_FILE)", async () => {
    const path = join(dir, "mounted.json");
    writeFileSync(path, "{}");
    const server = await startServerProcess({ DATABASE_PATH: join(dir, "file.db"), CONFIG_FILE: path, CONFIG_REFRESH_MS: "200" });
    try {
      const transport = createConnectTransport({
        baseUrl: server.url,
        httpVersion: "1.1",
        interceptors: [withAuthorization(testAuth.bearer)],
      });
      const { user } = await createClient(UserService, transport).createUser({ email: uniqueEmail(), displayName: "F" });
      const orders = createClient(OrderService, transport);
      const order = { userId: user?.id ?? "", items: [{ sku: "A", quantity: 1 }] };
      await orders.createOrder(order);
      writeFileSync(path, JSON.stringify({ orders: { creationEnabled: false } }));
      await within(2_000, async () => (await failure(orders.createOrder(order)).catch(() => undefined))?.code === Code.FailedPrecondition);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it("should refuse to start with an invalid CONFIG_* variable, naming it", async () => {
    const failure = await startServerProcess({ DATABASE_PATH: join(dir, "bad-env.db"), CONFIG_MAINTENANCE_ENABLED: "yes" }).catch(
      (e: Error) => e,
    );
    expect(String(failure)).toContain('CONFIG_MAINTENANCE_ENABLED must be true or false, got "yes"');
  });
});
