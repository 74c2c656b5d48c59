import { Code, ConnectError, type Transport, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OrderService } from "../../src/gen/acme/order/v1/order_pb.ts";
import { UserService } from "../../src/gen/acme/user/v1/user_pb.ts";
import { RetryInfoSchema } from "../../src/gen/google/rpc/error_details_pb.ts";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrationsDir } from "../../src/runtime/node/migrate.ts";
import { buildServerBundle } from "../../src/runtime/node/server-bundle.ts";
import { readNodeEnv } from "../../src/runtime/node/node-env.ts";
import { type NodeTracing, startNodeTracing } from "../../src/runtime/node/tracing.ts";
import { numberPlaceholders, openPostgresDatabase } from "../../src/runtime/node/postgres.ts";
import { postgresMigrationsDir } from "../../src/runtime/node/postgres-migrate.ts";
import { StoreUnavailableError } from "../../src/store/store-unavailable.ts";
import { serviceContracts } from "../shared/service-contracts.ts";
import { withAuthorization } from "../shared/test-auth.ts";
import { uniqueEmail } from "../shared/user-service-contract.ts";
import { expectDbSpansUnderGetUser } from "./db-span-assertions.ts";
import { type PostgresServer, startPostgres } from "./postgres.ts";
import { type ServerProcess, startServerProcess } from "./server-process.ts";
import { testAuth } from "./test-auth-key.ts";
import { startTestServer } from "./test-server.ts";

// A real PostgreSQL (test/node/postgres.ts) for this file; each part gets a database of its own.
let postgres: PostgresServer;
beforeAll(async () => {
  postgres = await startPostgres();
}, 60_000);
afterAll(() => postgres?.remove());

const authorized = [withAuthorization(testAuth.bearer)];
const transports: Record<string, (baseUrl: string) => Transport> = {
  "Connect JSON, HTTP/1.1": (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "1.1", interceptors: authorized }),
  "Connect binary, HTTP/2": (baseUrl) =>
    createConnectTransport({ baseUrl, httpVersion: "2", useBinaryFormat: true, interceptors: authorized }),
  "gRPC, HTTP/2": (baseUrl) => createGrpcTransport({ baseUrl, interceptors: authorized }),
  "gRPC-Web, HTTP/1.1": (baseUrl) => createGrpcWebTransport({ baseUrl, httpVersion: "1.1", interceptors: authorized }),
};

describe("Server on PostgreSQL (DATABASE_URL)", () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer({}, { DATABASE_URL: await postgres.createDatabase("contracts") });
  });
  afterAll(() => server?.stop());

  // Every service of the wiring table, by the same contract the SQLite and D1 runs pass.
  for (const { service, run } of serviceContracts()) {
    for (const [name, makeTransport] of Object.entries(transports)) {
      describe(`${service.name} over ${name}`, () => {
        let transport: Transport | undefined;
        run(() => (transport ??= makeTransport(server.url)));
      });
    }
  }
});

describe("PostgreSQL adapter", () => {
  it("should refuse a DATABASE_URL that is not a postgres:// URL, naming the variable", () => {
    expect(() => readNodeEnv({ DATABASE_URL: "mysql://db/app" })).toThrow("DATABASE_URL must be a postgres:// or postgresql:// URL");
    expect(readNodeEnv({ DATABASE_URL: "postgresql://db/app" }).databaseUrl).toBe("postgresql://db/app");
    expect(readNodeEnv({}).databaseUrl).toBeUndefined();
  });

  it("should have a PostgreSQL migration for every SQLite one, under the same name", () => {
    expect(readdirSync(postgresMigrationsDir).sort()).toEqual(readdirSync(migrationsDir).sort());
  });

  it("should number ? placeholders, leaving quoted ones alone", () => {
    expect(numberPlaceholders("SELECT '?', \"a?\" FROM t WHERE a = ? AND b > ? LIMIT ?")).toBe(
      "SELECT '?', \"a?\" FROM t WHERE a = $1 AND b > $2 LIMIT $3",
    );
  });

  it("should cancel a running statement when its call is aborted", async () => {
    const db = openPostgresDatabase(await postgres.createDatabase("cancel"));
    try {
      const aborted = db.query("SELECT pg_sleep(30)", [], AbortSignal.timeout(200));
      await expect(aborted).rejects.toMatchObject({ name: "TimeoutError" });
      // The backend stops running it (pg_cancel_backend), rather than sleeping on.
      let running = 1;
      for (let i = 0; i < 50 && running > 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const rows = await db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)' AND state = 'active'",
          [],
        );
        running = rows[0]?.n ?? 0;
      }
      expect(running).toBe(0);
    } finally {
      await db.close();
    }
  });

  it("should free the connection of an aborted statement for the next call, even with a pool of one", async () => {
    const db = openPostgresDatabase(await postgres.createDatabase("cancel_one"), { maxConnections: 1, connectTimeoutMs: 10_000 });
    try {
      await expect(db.query("SELECT pg_sleep(30)", [], AbortSignal.timeout(200))).rejects.toMatchObject({ name: "TimeoutError" });
      // Waits (at most 10 s, then unavailable) for the only connection, which the cancelled
      // statement frees long before its 30 s.
      expect(await db.query<{ one: number }>("SELECT 1 AS one", [])).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
  }, 30_000);

  it("should answer unavailable, not hang, when every connection of the pool is busy", async () => {
    const db = openPostgresDatabase(await postgres.createDatabase("exhausted"), { maxConnections: 1, connectTimeoutMs: 300 });
    try {
      const busy = db.query("SELECT pg_sleep(2)", []);
      await expect(db.query("SELECT 1", [])).rejects.toBeInstanceOf(StoreUnavailableError);
      await busy;
      expect(await db.query<{ one: number }>("SELECT 1 AS one", [])).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
  });
});

describe("Two npm start processes on one PostgreSQL database", () => {
  const started: ServerProcess[] = [];
  afterAll(() => Promise.all(started.map((server) => server.stop("SIGTERM"))));

  it("should both come up when started together (migration lock) and see each other's writes", async () => {
    const env = { DATABASE_URL: await postgres.createDatabase("fleet") };
    const results = await Promise.allSettled([startServerProcess(env), startServerProcess(env)]);
    for (const result of results) {
      if (result.status === "fulfilled") started.push(result.value);
    }
    expect(results.map((result) => (result.status === "rejected" ? String(result.reason) : "listening"))).toEqual([
      "listening",
      "listening",
    ]);
    const [a, b] = started.map((server) => createClient(UserService, transports["Connect JSON, HTTP/1.1"]!(server.url)));
    const onA = await a!.createUser({ email: uniqueEmail("fleet-a"), displayName: "On A" });
    expect((await b!.getUser({ id: onA.user?.id ?? "" })).user?.displayName).toBe("On A");
    const onB = await b!.createUser({ email: uniqueEmail("fleet-b"), displayName: "On B" });
    expect((await a!.getUser({ id: onB.user?.id ?? "" })).user?.displayName).toBe("On B");
  });
});

describe("kill -9 of one instance mid-write", () => {
  const started: ServerProcess[] = [];
  afterAll(() => Promise.all(started.map((server) => server.stop("SIGTERM"))));

  it("should leave only whole orders, every acknowledged one among them, readable through the other instance", async () => {
    const url = await postgres.createDatabase("crash");
    const [a, b] = await Promise.all([startServerProcess({ DATABASE_URL: url }), startServerProcess({ DATABASE_URL: url })]);
    started.push(a, b);
    const transport = transports["Connect binary, HTTP/2"]!;
    const { user } = await createClient(UserService, transport(b.url)).createUser({ email: uniqueEmail("crash"), displayName: "C" });
    // Many items, so that an order cut in half would show.
    const items = Array.from({ length: 50 }, (_, i) => ({ sku: `SKU-${i}`, quantity: i + 1 }));
    const ordersOnA = createClient(OrderService, transport(a.url));
    const acknowledged: string[] = [];
    let failed = 0;
    let killed: Promise<unknown> | undefined;
    // Eight callers, each with a CreateOrder always in flight, until A is gone.
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (!killed && failed < 100) {
          try {
            const { order } = await ordersOnA.createOrder({ userId: user?.id ?? "", items });
            acknowledged.push(order?.id ?? "");
            if (acknowledged.length >= 40) killed ??= a.stop("SIGKILL");
          } catch {
            failed++;
          }
        }
      }),
    );
    expect(await killed).toBeNull(); // no exit code: killed by the signal
    expect(failed).toBeGreaterThan(0); // calls were in flight when it died
    const db = openPostgresDatabase(url);
    let stored: string[];
    try {
      stored = (await db.query<{ id: string }>("SELECT id FROM orders", [])).map((row) => row.id);
    } finally {
      await db.close();
    }
    expect(stored).toEqual(expect.arrayContaining(acknowledged));
    const ordersOnB = createClient(OrderService, transport(b.url));
    for (const id of stored) {
      const { order } = await ordersOnB.getOrder({ id });
      expect(order?.items.map(({ sku, quantity }) => ({ sku, quantity }))).toEqual(items);
    }
  }, 60_000);
});

describe("A span per statement on PostgreSQL", () => {
  let tracing: NodeTracing;
  const exporter = new InMemorySpanExporter();
  beforeAll(() => {
    tracing = startNodeTracing({ serviceName: "test", headers: {} }, { sampleRatio: () => 1, exporter });
  });
  afterAll(() => tracing.shutdown());

  it("should give a GetUser call a CLIENT child span with its SQL and no parameter values", async () => {
    const server = await startTestServer({ tracer: tracing.tracer }, { DATABASE_URL: await postgres.createDatabase("traced") });
    try {
      await expectDbSpansUnderGetUser(transports["Connect binary, HTTP/2"]!(server.url), tracing, exporter, "postgresql");
    } finally {
      await server.stop();
    }
  });
});

// After the other parts that use PostgreSQL: it stops it.
describe("PostgreSQL going away", () => {
  it("should give unavailable with RetryInfo while it is down and serve again once it is back, without a restart", async () => {
    const server = await startTestServer({}, { DATABASE_URL: await postgres.createDatabase("outage") });
    try {
      const client = createClient(UserService, transports["gRPC, HTTP/2"]!(server.url));
      const { user } = await client.createUser({ email: uniqueEmail("outage"), displayName: "Before" });
      await postgres.stop();
      const failure = await client.getUser({ id: user?.id ?? "" }).catch((error: unknown) => ConnectError.from(error));
      expect(failure).toBeInstanceOf(ConnectError);
      expect((failure as ConnectError).code).toBe(Code.Unavailable);
      expect(Number((failure as ConnectError).findDetails(RetryInfoSchema)[0]?.retryDelay?.seconds)).toBe(1);
      expect((failure as ConnectError).metadata.get("retry-after")).toBe("1");
      await postgres.start();
      expect((await client.getUser({ id: user?.id ?? "" })).user?.displayName).toBe("Before");
    } finally {
      await server.stop();
    }
  }, 60_000);
});

describe("Server bundle with pg", () => {
  it("should need no package installed beside it (pg is bundled, its optional pg-native is not required)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bundle-pg-"));
    try {
      expect(await buildServerBundle(join(dir, "main.cjs"))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
