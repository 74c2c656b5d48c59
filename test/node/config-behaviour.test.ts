import { create } from "@bufbuild/protobuf";
import { Code, createClient } from "@connectrpc/connect";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultConfig } from "../../src/config/defaults.ts";
import { overlay } from "../../src/config/overlay.ts";
import { parseConfig } from "../../src/config/parse-config.ts";
import { type Config, ConfigSchema, LogLevel } from "../../src/gen/acme/config/v1/config_pb.ts";
import { isOrderCreationDisabled } from "../../src/gen/acme/order/v1/errors_reasons.ts";
import { OrderService } from "../../src/gen/acme/order/v1/order_pb.ts";
import { UserService } from "../../src/gen/acme/user/v1/user_pb.ts";
import { RetryInfoSchema } from "../../src/gen/google/rpc/error_details_pb.ts";
import { type NodeTracing, startNodeTracing } from "../../src/runtime/node/tracing.ts";
import { failure } from "../shared/expect-failure.ts";
import { uniqueEmail, violatedFields } from "../shared/user-service-contract.ts";
import { createInMemoryApp } from "./in-memory-app.ts";
import { startTestServer } from "./test-server.ts";

type ConfigInit = Parameters<typeof create<typeof ConfigSchema>>[1];

/** The app with a config that the test changes between calls, as a store swap would. */
async function appWithConfig(options: { tracing?: NodeTracing } = {}) {
  let config = defaultConfig();
  const app = await createInMemoryApp({ config: () => config, ...(options.tracing ? { tracer: options.tracing.tracer } : {}) });
  return {
    ...app,
    users: createClient(UserService, app.transport),
    orders: createClient(OrderService, app.transport),
    set(init: ConfigInit) {
      config = overlay(ConfigSchema, defaultConfig(), create(ConfigSchema, init)) as Config;
    },
  };
}

describe("user_listing", () => {
  it("should use the configured default page size and refuse sizes over the configured maximum", async () => {
    const app = await appWithConfig();
    for (let i = 0; i < 4; i++) await app.users.createUser({ email: uniqueEmail(), displayName: `U${i}` });
    app.set({ userListing: { defaultPageSize: 3, maxPageSize: 3 } });
    expect((await app.users.listUsers({})).users).toHaveLength(3);
    const error = await failure(app.users.listUsers({ pageSize: 4 }));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(violatedFields(error)).toEqual(["page_size"]);
    app.set({ userListing: { defaultPageSize: 2, maxPageSize: 500 } });
    expect((await app.users.listUsers({})).users).toHaveLength(2);
    expect((await app.users.listUsers({ pageSize: 400 })).users).toHaveLength(4);
  });
});

describe("orders.creation_enabled", () => {
  it("should refuse CreateOrder with failed_precondition, reason ORDER_CREATION_DISABLED, when off", async () => {
    const app = await appWithConfig();
    const { user } = await app.users.createUser({ email: uniqueEmail(), displayName: "O" });
    const order = { userId: user?.id ?? "", items: [{ sku: "A", quantity: 1 }] };
    app.set({ orders: { creationEnabled: false } });
    const error = await failure(app.orders.createOrder(order));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(isOrderCreationDisabled(error)).toBe(true);
    expect(error.rawMessage).toContain("order creation is turned off");
    app.set({ orders: { creationEnabled: true } });
    expect((await app.orders.createOrder(order)).order?.userId).toBe(user?.id);
  });
});

describe("maintenance", () => {
  it("should fail changes with unavailable and a retry hint while reads keep working", async () => {
    const app = await appWithConfig();
    const { user } = await app.users.createUser({ email: uniqueEmail(), displayName: "M" });
    app.set({ maintenance: { enabled: true, retryAfterSeconds: 120, message: "database upgrade" } });
    const error = await failure(app.users.createUser({ email: uniqueEmail(), displayName: "X" }));
    expect(error.code).toBe(Code.Unavailable);
    expect(error.rawMessage).toBe("in maintenance, changes are paused: database upgrade; retry in 120 s");
    expect(error.findDetails(RetryInfoSchema)[0]?.retryDelay?.seconds).toBe(120n);
    expect(error.metadata.get("retry-after")).toBe("120");
    const orderError = await failure(app.orders.createOrder({ userId: user?.id ?? "", items: [{ sku: "A", quantity: 1 }] }));
    expect(orderError.code).toBe(Code.Unavailable);
    expect((await app.users.getUser({ id: user?.id ?? "" })).user?.id).toBe(user?.id);
    expect((await app.users.listUsers({})).users.length).toBeGreaterThan(0);
    let exported = 0;
    for await (const _ of app.users.exportUsers({})) exported++;
    expect(exported).toBeGreaterThan(0);
  });
});

describe("observability.log_level", () => {
  it("should drop RPC lines below the configured level and keep errors", async () => {
    const app = await appWithConfig();
    await app.users.listUsers({});
    expect(app.logs).toHaveLength(1);
    app.set({ observability: { logLevel: LogLevel.WARN } });
    await app.users.listUsers({});
    await app.users.getUser({ id: crypto.randomUUID() }).catch(() => undefined);
    expect(app.logs).toHaveLength(1);
    await app.db.query("INSERT INTO orders (id, user_id, items_json, create_time_ms) VALUES (?, ?, ?, ?)", [
      "b0000000-0000-4000-8000-000000000000",
      "u",
      "{",
      1,
    ]);
    await app.orders.getOrder({ id: "b0000000-0000-4000-8000-000000000000" }).catch(() => undefined);
    expect(app.logs).toHaveLength(2);
    expect(app.logs[1]).toMatchObject({ level: "error", code: "INTERNAL" });
  });
});

describe("observability.trace_sample_ratio", () => {
  let tracing: NodeTracing;
  let ratio = 1;
  const exporter = new InMemorySpanExporter();
  beforeAll(() => {
    tracing = startNodeTracing({ serviceName: "test", headers: {} }, { sampleRatio: () => ratio, exporter });
  });
  afterAll(() => tracing.shutdown());

  it("should change how many traces are exported without a restart, failures always", async () => {
    const app = await appWithConfig({ tracing });
    const flushNames = async () => {
      await tracing.flush();
      return exporter.getFinishedSpans().map((s) => s.name);
    };
    await app.users.listUsers({});
    expect(await flushNames()).toContain("acme.user.v1.UserService/ListUsers");
    exporter.reset();
    ratio = 0;
    await app.users.listUsers({});
    await app.users.getUser({ id: crypto.randomUUID() }).catch(() => undefined);
    const names = await flushNames();
    expect(names).not.toContain("acme.user.v1.UserService/ListUsers");
    expect(names).toContain("acme.user.v1.UserService/GetUser");
  });
});

describe("cors.allowed_origins", () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer({}, { CONFIG_CORS_ALLOWED_ORIGINS: "https://app.example.com" });
  });
  afterAll(() => server.stop());
  const path = "/acme.user.v1.UserService/ListUsers";

  it("should answer the preflight of an allowed origin and expose the headers clients read", async () => {
    const preflight = await fetch(server.url + path, {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example.com",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type,connect-protocol-version",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
    expect(preflight.headers.get("access-control-allow-headers")).toBe("content-type,connect-protocol-version");
    const call = await fetch(server.url + path, {
      method: "POST",
      headers: { origin: "https://app.example.com", "content-type": "application/json", authorization: server.auth.bearer },
      body: "{}",
    });
    expect(call.status).toBe(200);
    expect(call.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    const exposed = call.headers.get("access-control-expose-headers") ?? "";
    for (const header of ["Grpc-Status", "Grpc-Message", "Grpc-Status-Details-Bin"]) expect(exposed).toContain(header);
    await call.body?.cancel();
  });

  it("should give a disallowed origin no CORS grant", async () => {
    const preflight = await fetch(server.url + path, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    const call = await fetch(server.url + path, {
      method: "POST",
      headers: { origin: "https://evil.example", "content-type": "application/json" },
      body: "{}",
    });
    expect(call.headers.get("access-control-allow-origin")).toBeNull();
    await call.body?.cancel();
  });
});

describe("gateway.node_origins", () => {
  const problems = (nodeOrigins: Record<string, string>) => {
    const result = parseConfig(JSON.stringify({ gateway: { nodeOrigins } }));
    return result.ok ? [] : result.problems;
  };

  it("should take service names to http(s) origins, a path prefix included", () => {
    expect(
      problems({ "acme.order.v1.OrderService": "https://orders.internal", "acme.user.v1.UserService": "http://10.0.0.7:8080/api" }),
    ).toEqual([]);
  });

  it("should refuse a key that is no service name and a value that is no http(s) origin, by field path", () => {
    expect(problems({ OrderService: "https://orders.internal" })).toEqual([
      expect.stringMatching(/^gateway\.node_origins\["OrderService"\]: /),
    ]);
    for (const origin of ["orders.internal", "ftp://orders.internal", "https://orders.internal?x=1", "https://"]) {
      expect(problems({ "acme.order.v1.OrderService": origin })).toEqual([
        expect.stringMatching(/^gateway\.node_origins\["acme\.order\.v1\.OrderService"\]: /),
      ]);
    }
  });
});
