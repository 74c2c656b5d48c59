import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReadiness } from "../../src/health/readiness.ts";
import { configCheck, databaseCheck } from "../../src/health/checks.ts";
import { openSqliteDatabase } from "../../src/runtime/node/sqlite.ts";
import { http2Post } from "./http2-post.ts";
import { type ServerProcess, startServerProcess } from "./server-process.ts";

const dir = mkdtempSync(join(tmpdir(), "connect-template-health-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** grpc.health.v1 through an independent client: @grpc/grpc-js with the proto grpc-health-check ships. */
function grpcJsHealth(url: string) {
  const definition = protoLoader.loadSync(join(process.cwd(), "node_modules/grpc-health-check/proto/health/v1/health.proto"), {
    enums: String,
  });
  const proto = grpc.loadPackageDefinition(definition) as unknown as {
    grpc: { health: { v1: { Health: new (address: string, credentials: grpc.ChannelCredentials) => grpc.Client } } };
  };
  const client = new proto.grpc.health.v1.Health(new URL(url).host, grpc.credentials.createInsecure()) as grpc.Client & {
    check(request: { service: string }, callback: (error: grpc.ServiceError | null, response?: { status: string }) => void): void;
  };
  return {
    check: (service: string) =>
      new Promise<{ status?: string; code?: number }>((resolve) =>
        client.check({ service }, (error, response) => resolve(error ? { code: error.code } : { status: response?.status })),
      ),
    close: () => client.close(),
  };
}

describe("probes and grpc.health.v1 on `npm start`", () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess({ DATABASE_PATH: join(dir, "ok.db") });
  });
  afterAll(() => server.stop());

  it("should answer GET /healthz and /readyz with 200 while ready", async () => {
    const healthz = await fetch(`${server.url}/healthz`);
    expect([healthz.status, await healthz.text(), healthz.headers.get("cache-control")]).toEqual([200, "ok\n", "no-store"]);
    const readyz = await fetch(`${server.url}/readyz?verbose`);
    expect([readyz.status, await readyz.text()]).toEqual([200, "ready\n"]);
    expect((await fetch(`${server.url}/readyz`, { method: "HEAD" })).status).toBe(200);
  });

  it("should answer other methods on the probes with 405 and keep serving", async () => {
    for (const method of ["POST", "DELETE", "PUT"]) {
      const response = await fetch(`${server.url}/readyz`, { method, body: method === "DELETE" ? null : "x" });
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe("GET, HEAD");
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it("should serve the probes over h2c too", async () => {
    const result = await http2Post(server.url, "/healthz", {}, new Uint8Array()).catch((error: Error) => error);
    // A POST: refused with 405 on HTTP/2 as on HTTP/1.1.
    expect(result).toMatchObject({ status: 405 });
  });

  it("should report SERVING to @grpc/grpc-js, and NOT_FOUND (5) for an unknown service", async () => {
    const health = grpcJsHealth(server.url);
    try {
      expect(await health.check("")).toEqual({ status: "SERVING" });
      expect(await health.check("acme.user.v1.UserService")).toEqual({ status: "SERVING" });
      expect(await health.check("acme.nope.v1.NopeService")).toEqual({ code: grpc.status.NOT_FOUND });
    } finally {
      health.close();
    }
  });

  it("should answer a malformed health request with invalid_argument and keep serving", async () => {
    // A gRPC frame announcing 10 bytes of message but carrying 2, then a field with a bad wire type.
    for (const body of [new Uint8Array([0, 0, 0, 0, 10, 0x0a, 0x05]), new Uint8Array([0, 0, 0, 0, 2, 0x0f, 0xff])]) {
      const result = await http2Post(
        server.url,
        "/grpc.health.v1.Health/Check",
        { "content-type": "application/grpc", te: "trailers" },
        body,
      );
      expect(result.trailers["grpc-status"] ?? result.headers["grpc-status"]).toBe("3");
    }
    const connect = await fetch(`${server.url}/grpc.health.v1.Health/Check`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"service": 42',
    });
    expect(connect.status).toBe(400);
    expect(((await connect.json()) as { code: string }).code).toBe("invalid_argument");
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });
});

describe("readiness follows the config", () => {
  it("should be not ready while the stored config is rejected, and ready once a valid one is written", async () => {
    const configFile = join(dir, "config.json");
    writeFileSync(configFile, "{ not json");
    const server = await startServerProcess({ DATABASE_PATH: join(dir, "config.db"), CONFIG_FILE: configFile, CONFIG_REFRESH_MS: "50" });
    try {
      const readyz = await fetch(`${server.url}/readyz`);
      expect([readyz.status, await readyz.text()]).toEqual([503, "not ready: config\n"]);
      const health = grpcJsHealth(server.url);
      expect(await health.check("")).toEqual({ status: "NOT_SERVING" });
      // Liveness is the process serving, whatever its dependencies: no restart for a bad config.
      expect(await health.check("liveness")).toEqual({ status: "SERVING" });
      health.close();
      // RPCs are still served (on defaults): readiness steers traffic, it does not refuse it.
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      writeFileSync(configFile, JSON.stringify({ userListing: { maxPageSize: 50 } }));
      await expect.poll(async () => (await fetch(`${server.url}/readyz`)).status, { timeout: 5000 }).toBe(200);
    } finally {
      await server.stop();
    }
  });
});

describe("createReadiness", () => {
  it("should name a database that does not answer, and cache one result per interval", async () => {
    const db = openSqliteDatabase(":memory:");
    let loaded = true;
    const readiness = createReadiness([databaseCheck(db), configCheck(() => loaded)], { cacheMs: 0 });
    expect(await readiness.status()).toEqual({ ready: true, failing: [] });
    db.close();
    loaded = false;
    expect(await readiness.status()).toEqual({ ready: false, failing: ["database", "config"] });
  });

  it("should treat a check that hangs as failing after its timeout", async () => {
    const readiness = createReadiness([{ name: "stuck", check: () => new Promise(() => {}) }], { timeoutMs: 50 });
    expect(await readiness.status()).toEqual({ ready: false, failing: ["stuck"] });
  });

  it("should say shutting down from drain() on, and wake waiters at once", async () => {
    const readiness = createReadiness([], { cacheMs: 0 });
    const woken = readiness.wait(60_000);
    readiness.drain();
    await woken;
    expect(await readiness.status()).toEqual({ ready: false, failing: ["shutting down"] });
    expect(readiness.stopSignal.aborted).toBe(false);
    readiness.stop();
    await readiness.wait(60_000); // resolves at once once stopped
    expect(readiness.stopped).toBe(true);
    expect(readiness.stopSignal.aborted).toBe(true);
  });
});
