import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { Code, ConnectError, type Interceptor, createClient, createRouterTransport } from "@connectrpc/connect";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { traceIdOf } from "../../src/client/error-details.ts";
import { OrderService } from "../../src/gen/acme/order/v1/order_pb.ts";
import { RetryInfoSchema } from "../../src/gen/google/rpc/error_details_pb.ts";
import { UserService } from "../../src/gen/acme/user/v1/user_pb.ts";
import { forProcedures, forServices, not, selectInterceptor } from "../../src/interceptors/select.ts";
import { type NodeTracing, startNodeTracing } from "../../src/runtime/node/tracing.ts";
import { createUserService } from "../../src/services/user-service.ts";
import { newTraceparent } from "../shared/trace-assertions.ts";
import { uniqueEmail } from "../shared/user-service-contract.ts";
import { createInMemoryApp } from "./in-memory-app.ts";
import { failure } from "../shared/expect-failure.ts";

let tracing: NodeTracing;
const exporter = new InMemorySpanExporter();
const dir = mkdtempSync(join(tmpdir(), "connect-template-chain-"));
beforeAll(() => {
  tracing = startNodeTracing({ serviceName: "test", headers: {} }, { sampleRatio: () => 1, exporter });
});
afterAll(async () => {
  await tracing.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

describe("the request gate in the chain", () => {
  it("should name the caller on the span and the log line, and observe a refused call like any other", async () => {
    const app = await createInMemoryApp({ tracer: tracing.tracer });
    const users = createClient(UserService, app.transport);
    const allowed = newTraceparent();
    await users.listUsers({}, { headers: { traceparent: allowed.header } });
    const refused = newTraceparent();
    const email = uniqueEmail("refused");
    const error = await failure(
      users.createUser({ email, displayName: "R" }, { headers: { traceparent: refused.header, authorization: "Bearer not.a.token" } }),
    );
    expect(error.code).toBe(Code.Unauthenticated);
    await tracing.flush();
    const spanOf = (traceId: string) => exporter.getFinishedSpans().find((span) => span.spanContext().traceId === traceId);
    expect(spanOf(allowed.traceId)?.attributes).toMatchObject({ "enduser.id": "tester", "rpc.response.status_code": "OK" });
    expect(spanOf(refused.traceId)?.name).toBe("acme.user.v1.UserService/CreateUser");
    expect(spanOf(refused.traceId)?.attributes).toMatchObject({ "rpc.response.status_code": "UNAUTHENTICATED" });
    expect(spanOf(refused.traceId)?.attributes["enduser.id"]).toBeUndefined();
    expect(app.logs.find((entry) => entry.trace_id === allowed.traceId)).toMatchObject({ code: "OK", subject: "tester" });
    expect(app.logs.find((entry) => entry.trace_id === refused.traceId)).toMatchObject({
      code: "UNAUTHENTICATED",
      refused: "token malformed",
    });
    // Refused before the service ran: no user.
    expect((await users.listUsers({ pageSize: 100 })).users.map((u) => u.email)).not.toContain(email);
  });
});

describe("errors interceptor", () => {
  it("should hide an unexpected failure behind internal with the trace id, and log it with its stack", async () => {
    const app = await createInMemoryApp({ tracer: tracing.tracer });
    const id = crypto.randomUUID();
    await app.db.query("INSERT INTO orders (id, user_id, items_json, create_time_ms) VALUES (?, ?, ?, ?)", [
      id,
      crypto.randomUUID(),
      "{not json",
      Date.now(),
    ]);
    const caller = newTraceparent();
    const error = await failure(createClient(OrderService, app.transport).getOrder({ id }, { headers: { traceparent: caller.header } }));
    expect(error.code).toBe(Code.Internal);
    expect(error.rawMessage).toBe(`internal error (trace id ${caller.traceId})`);
    // The trace id is also a structured detail (google.rpc.RequestInfo), the only one.
    expect(error.details).toHaveLength(1);
    expect(traceIdOf(error)).toBe(caller.traceId);
    const entry = app.logs.find((e) => e.procedure === "acme.order.v1.OrderService/GetOrder");
    expect(entry).toMatchObject({ level: "error", code: "INTERNAL", trace_id: caller.traceId });
    expect(entry?.error?.type).toBe("SyntaxError");
    expect(entry?.error?.stack).toContain("JSON.parse");
  });

  it("should answer a transient storage failure with unavailable, a short RetryInfo and retry-after, and keep serving", async () => {
    const path = join(dir, "locked.db");
    const app = await createInMemoryApp({ path, busyTimeoutMs: 0 });
    const users = createClient(UserService, app.transport);
    const locker = new DatabaseSync(path);
    locker.exec("BEGIN EXCLUSIVE");
    const error = await failure(users.createUser({ email: uniqueEmail(), displayName: "Locked out" }));
    expect(error.code).toBe(Code.Unavailable);
    expect(error.rawMessage).toMatch(/^service temporarily unavailable, retry in 1 s \(trace id [0-9a-f]{32}\)$/);
    expect(error.rawMessage).toContain(`(trace id ${traceIdOf(error)})`);
    expect(Number(error.findDetails(RetryInfoSchema)[0]?.retryDelay?.seconds)).toBe(1);
    expect(error.metadata.get("retry-after")).toBe("1");
    locker.exec("ROLLBACK");
    locker.close();
    const { user } = await users.createUser({ email: uniqueEmail(), displayName: "Back" });
    expect(user?.displayName).toBe("Back");
  });

  it("should end a stream that fails midway with internal instead of hanging", async () => {
    const app = await createInMemoryApp();
    const users = createClient(UserService, app.transport);
    for (let i = 0; i < 201; i++) await users.createUser({ email: uniqueEmail(), displayName: `U${i}` });
    let received = 0;
    const error = await failure(
      (async () => {
        for await (const _ of users.exportUsers({})) {
          if (++received === 1) app.db.exec("DROP TABLE users"); // the second batch fails
        }
      })(),
    );
    expect(received).toBe(200);
    expect(error.code).toBe(Code.Internal);
    expect(error.rawMessage).not.toContain("users");
    expect(app.logs.at(-1)).toMatchObject({ procedure: "acme.user.v1.UserService/ExportUsers", code: "INTERNAL" });
  });

  it("should pass domain errors through unchanged", async () => {
    const app = await createInMemoryApp();
    const error = await failure(createClient(UserService, app.transport).getUser({ id: crypto.randomUUID() }));
    expect(error.code).toBe(Code.NotFound);
    expect(error.rawMessage).toMatch(/^user ".*" not found$/);
  });
});

describe("deadlines", () => {
  it("should bound the outgoing UserService call by the incoming call's deadline", async () => {
    const app = await createInMemoryApp();
    const { user } = await createClient(UserService, app.transport).createUser({ email: uniqueEmail(), displayName: "D" });
    await createClient(OrderService, app.transport).createOrder(
      { userId: user?.id ?? "", items: [{ sku: "A", quantity: 1 }] },
      { timeoutMs: 3000 },
    );
    const call = app.downstream.find((c) => c.method === "GetUser");
    expect(call?.timeoutMs).toBeGreaterThan(0);
    expect(call?.timeoutMs).toBeLessThanOrEqual(3000);
  });
});

describe("logging interceptor", () => {
  it("should write one line per RPC with the caller's trace id and nothing from the request", async () => {
    const app = await createInMemoryApp({ tracer: tracing.tracer });
    const caller = newTraceparent();
    const email = uniqueEmail("secret");
    const token = await app.auth.mint({ sub: "logged-caller" });
    await createClient(UserService, app.transport).createUser(
      { email, displayName: "Logged" },
      { headers: { traceparent: caller.header, authorization: `Bearer ${token}` } },
    );
    expect(app.logs).toHaveLength(1);
    const [entry] = app.logs;
    expect(entry).toMatchObject({
      level: "info",
      procedure: "acme.user.v1.UserService/CreateUser",
      protocol: "connect",
      code: "OK",
      trace_id: caller.traceId,
      subject: "logged-caller",
    });
    expect(entry?.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(entry?.span_id).not.toBe(caller.spanId);
    expect(entry?.duration_ms).toBeGreaterThanOrEqual(0);
    expect(entry?.error).toBeUndefined();
    expect(JSON.stringify(entry)).not.toMatch(/secret|Logged/);
    expect(JSON.stringify(entry)).not.toContain(token.slice(0, 20));
  });

  it("should log client errors at info, without the error", async () => {
    const app = await createInMemoryApp();
    await createClient(UserService, app.transport)
      .getUser({ id: crypto.randomUUID() })
      .catch(() => undefined);
    expect(app.logs[0]).toMatchObject({ level: "info", code: "NOT_FOUND" });
    expect(app.logs[0]?.error).toBeUndefined();
  });
});

describe("selectInterceptor", () => {
  function recording(seen: string[]): Interceptor {
    return (next) => (req) => {
      seen.push(req.method.name);
      return next(req);
    };
  }

  async function callAll(interceptor: Interceptor) {
    const db = (await createInMemoryApp()).db;
    const { sqlUserStore } = await import("../../src/store/sql-user-store.ts");
    const transport = createRouterTransport((router) => router.service(UserService, createUserService(sqlUserStore(db))), {
      router: { interceptors: [interceptor] },
    });
    const users = createClient(UserService, transport);
    await users.listUsers({});
    await users.getUser({ id: crypto.randomUUID() }).catch(() => undefined);
  }

  it("should apply an interceptor to chosen methods only", async () => {
    const seen: string[] = [];
    await callAll(selectInterceptor(recording(seen), forProcedures("acme.user.v1.UserService/GetUser")));
    expect(seen).toEqual(["GetUser"]);
  });

  it("should apply an interceptor per service, or skip what a matcher names", async () => {
    const all: string[] = [];
    await callAll(selectInterceptor(recording(all), forServices("acme.user.v1.UserService")));
    expect(all).toEqual(["ListUsers", "GetUser"]);
    const none: string[] = [];
    await callAll(selectInterceptor(recording(none), not(forServices("acme.user.v1.UserService"))));
    expect(none).toEqual([]);
  });
});

describe("deadlines in the store", () => {
  it("should run no statement once the RPC's signal has aborted", async () => {
    const { sqlUserStore } = await import("../../src/store/sql-user-store.ts");
    const app = await createInMemoryApp();
    const reason = new ConnectError("the deadline passed", Code.DeadlineExceeded);
    const store = sqlUserStore(app.db);
    await expect(store.getUser(crypto.randomUUID(), AbortSignal.abort(reason))).rejects.toBe(reason);
  });
});
