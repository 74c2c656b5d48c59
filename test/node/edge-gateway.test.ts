import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Code, ConnectError, type Interceptor, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { trace } from "@opentelemetry/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OrderService } from "../../src/gen/acme/order/v1/order_pb.ts";
import { UserService } from "../../src/gen/acme/user/v1/user_pb.ts";
import { RetryInfoSchema } from "../../src/gen/google/rpc/error_details_pb.ts";
import { clientAddressKey } from "../../src/protocol/client-address.ts";
import { readNodeEnv } from "../../src/runtime/node/node-env.ts";
import { type RunningServer, startServer } from "../../src/runtime/node/start-server.ts";
import { startOtlpReceiver } from "../otlp-receiver.ts";
import { withAuthorization } from "../shared/test-auth.ts";
import { uniqueEmail } from "../shared/user-service-contract.ts";
import { type ServerProcess, startServerProcess } from "./server-process.ts";
import { testAuth } from "./test-auth-key.ts";
import { startWranglerDev } from "./wrangler-dev-process.ts";

// The Worker as the edge gateway of a Node fleet (docs/gateway.md): wrangler dev forwards
// OrderService to a real `npm start`, both exporting spans to one OTLP receiver. A second
// Worker forwards without the gateway secret, and UserService to a Node server whose
// answers carry a header and a trailer. Node allows 3 calls per caller and method a minute.
const dir = mkdtempSync(join(tmpdir(), "connect-template-gateway-"));
const gatewaySecret = `${crypto.randomUUID()}-${crypto.randomUUID()}`;
let node: ServerProcess;
let edge: Awaited<ReturnType<typeof startWranglerDev>>;
let edgeWithoutSecret: Awaited<ReturnType<typeof startWranglerDev>>;
let decorating: RunningServer;
// Node's own response header and trailer on every answer, streams included; and, for the
// test to read, the client address Node's chain saw and any x-gateway-* header reaching it.
const decorate: Interceptor = (next) => async (req) => {
  const res = await next(req);
  res.header.set("x-origin-header", "from-node");
  res.trailer.set("x-origin-trailer", "from-node");
  res.header.set("x-origin-saw-address", String(req.contextValues.get(clientAddressKey)));
  res.header.set("x-origin-saw-gateway-headers", [...req.header.keys()].filter((name) => name.startsWith("x-gateway")).join(",") || "none");
  return res;
};
let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  node = await startServerProcess({
    DATABASE_PATH: join(dir, "node.db"),
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_SERVICE_NAME: "node-origin",
    GATEWAY_SECRET: gatewaySecret,
    CONFIG_RATE_LIMITS_REQUESTS: "3",
  });
  decorating = await startServer(
    readNodeEnv({
      HOST: "127.0.0.1",
      PORT: "0",
      DATABASE_PATH: join(dir, "decorating.db"),
      GATEWAY_SECRET: gatewaySecret,
      ...testAuth.vars,
    }),
    { log: () => {}, configLog: () => {}, tracer: trace.getTracer("test") },
    { interceptors: [decorate] },
  );
  const origins = JSON.stringify({ "acme.order.v1.OrderService": node.url });
  [edge, edgeWithoutSecret] = await Promise.all([
    startWranglerDev(join(dir, "wrangler"), {
      NODE_ORIGINS: origins,
      GATEWAY_SECRET: gatewaySecret,
      CONFIG_REFRESH_MS: "100",
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: "edge",
    }),
    startWranglerDev(join(dir, "wrangler-without-secret"), {
      NODE_ORIGINS: JSON.stringify({ "acme.order.v1.OrderService": node.url, "acme.user.v1.UserService": decorating.url }),
    }),
  ]);
}, 90_000);

afterAll(async () => {
  await edge?.stop();
  await edgeWithoutSecret?.stop();
  await node?.stop();
  await decorating?.stop(1_000);
  await receiver?.close();
  rmSync(dir, { recursive: true, force: true });
});

const client = <S extends typeof OrderService | typeof UserService>(service: S, baseUrl: string, bearer?: string) =>
  createClient(service, createConnectTransport({ baseUrl, httpVersion: "1.1", interceptors: bearer ? [withAuthorization(bearer)] : [] }));

const orderCalls = () => (node.stdout().match(/acme\.order\.v1\.OrderService\//g) ?? []).length;

/**
 * Node writes its log lines in order, but not at once (batches within 100 ms): a call of
 * our own, once logged, says every line before it is out. Resolves to the OrderService lines.
 */
async function settled(): Promise<number> {
  const count = () => (node.stdout().match(/acme\.user\.v1\.UserService\/ListUsers/g) ?? []).length;
  const before = count();
  await client(UserService, node.url, testAuth.bearer).listUsers({});
  const deadline = Date.now() + 5_000;
  while (count() === before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  return orderCalls();
}

describe("Worker as the edge gateway of a Node origin", () => {
  it("should forward CreateOrder and GetOrder to Node, whose database then holds the order", async () => {
    // The user lives in Node's database only: the Worker's own D1 has never seen it.
    const { user } = await client(UserService, node.url, testAuth.bearer).createUser({ email: uniqueEmail("edge"), displayName: "E" });
    const items = [{ sku: "BOOK-1", quantity: 2 }];
    const viaEdge = client(OrderService, edge.url, testAuth.bearer);
    const { order } = await viaEdge.createOrder({ userId: user?.id ?? "", items });
    expect(order).toMatchObject({ userId: user?.id, items });
    expect((await viaEdge.getOrder({ id: order?.id ?? "" })).order).toEqual(order);
    const direct = await client(OrderService, node.url, testAuth.bearer).getOrder({ id: order?.id ?? "" });
    expect(direct.order).toEqual(order);
    // Node's errors come back through the edge as they are.
    const missing = await viaEdge.getOrder({ id: crypto.randomUUID() }).catch((error) => ConnectError.from(error));
    expect(missing).toMatchObject({ code: Code.NotFound });
  });

  it("should refuse an anonymous call at the edge without reaching Node", async () => {
    const before = await settled();
    expect(before).toBeGreaterThan(0);
    const refused = await client(OrderService, edge.url)
      .getOrder({ id: crypto.randomUUID() })
      .catch((error) => ConnectError.from(error));
    expect(refused).toMatchObject({ code: Code.Unauthenticated });
    // A forwarded call is logged by Node (the first test's calls were); this one is not.
    expect(await settled()).toBe(before);
  });

  it("should continue the edge's trace into Node: one trace id", async () => {
    const viaEdge = client(OrderService, edge.url, testAuth.bearer);
    await viaEdge.getOrder({ id: crypto.randomUUID() }).catch(() => undefined);
    const name = "acme.order.v1.OrderService/GetOrder";
    const find = () => {
      const nodeSpan = receiver.spans.find((s) => s.service === "node-origin" && s.kind === 2 && s.name === name);
      const edgeSpan = receiver.spans.find((s) => s.service === "edge" && s.name === name && s.traceId === nodeSpan?.traceId);
      return { nodeSpan, edgeSpan };
    };
    const deadline = Date.now() + 15_000;
    while (!find().edgeSpan && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    const { nodeSpan, edgeSpan } = find();
    expect(nodeSpan?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(edgeSpan?.traceId).toBe(nodeSpan?.traceId);
  }, 30_000);

  it("should not rate limit forwarded calls again on Node when the edge sends the gateway secret", async () => {
    const viaEdge = client(OrderService, edge.url, `Bearer ${await testAuth.mint({ sub: "through-the-edge" })}`);
    const codes = [];
    for (let i = 0; i < 5; i++) {
      codes.push(await viaEdge.getOrder({ id: crypto.randomUUID() }).catch((error) => Code[ConnectError.from(error).code]));
    }
    // Node's limit is 3 a minute; the edge's (6,000) counted these calls already.
    expect(codes).toEqual(Array(5).fill("NotFound"));
    await settled();
    expect(node.stdout()).not.toContain(gatewaySecret);
  });

  it("should leave Node's rate limit on for calls forwarded without the secret", async () => {
    const viaEdge = client(OrderService, edgeWithoutSecret.url, `Bearer ${await testAuth.mint({ sub: "no-secret" })}`);
    const errors = [];
    for (let i = 0; i < 4; i++) errors.push(await viaEdge.getOrder({ id: crypto.randomUUID() }).catch((error) => ConnectError.from(error)));
    expect(errors.map((error) => Code[(error as ConnectError).code])).toEqual(["NotFound", "NotFound", "NotFound", "ResourceExhausted"]);
    // Node's refusal keeps its retry-after header and RetryInfo through the edge.
    const refusal = errors[3] as ConnectError;
    expect(Number(refusal.metadata.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(refusal.findDetails(RetryInfoSchema)[0]?.retryDelay?.seconds)).toBe(Number(refusal.metadata.get("retry-after")));
    const refused = '"refused":"rate limit exceeded: 3 calls per 60 s for sub:no-secret"';
    const deadline = Date.now() + 5_000;
    while (!node.stdout().includes(refused) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(node.stdout()).toContain(refused);
  });

  it.each(["Connect", "gRPC-Web"])("should pass Node's response headers and trailers back to a %s caller", async (protocol) => {
    const options = { baseUrl: edgeWithoutSecret.url, httpVersion: "1.1" as const, interceptors: [withAuthorization(testAuth.bearer)] };
    const users = createClient(UserService, protocol === "Connect" ? createConnectTransport(options) : createGrpcWebTransport(options));
    const seen = (into: Record<string, string | null>) => ({
      onHeader: (header: Headers) => (into.header = header.get("x-origin-header")),
      onTrailer: (trailer: Headers) => (into.trailer = trailer.get("x-origin-trailer")),
    });
    const unary = {};
    await users.listUsers({}, seen(unary));
    expect(unary).toEqual({ header: "from-node", trailer: "from-node" });
    const stream = {};
    for await (const _ of users.exportUsers({}, seen(stream)));
    expect(stream).toEqual({ header: "from-node", trailer: "from-node" });
  });

  it("should answer with the caller's protocol headers, not a copy of Node's", async () => {
    const response = await fetch(`${edgeWithoutSecret.url}/acme.user.v1.UserService/ListUsers`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: testAuth.bearer },
      body: "{}",
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("x-origin-header")).toBe("from-node");
    expect(response.headers.get("trailer-x-origin-trailer")).toBe("from-node");
    expect(response.headers.has("keep-alive")).toBe(false);
    expect(await response.json()).toMatchObject({});
  });

  it("should take origins from the runtime config, no deploy; NODE_ORIGINS wins for a service both name", async () => {
    // What an operator runs: the config CLI writing the edge's (local) KV.
    const setEdgeConfig = async (config: object) => {
      const file = join(dir, "edge-config.json");
      writeFileSync(file, JSON.stringify(config));
      const cli = new URL("../../scripts/config/main.ts", import.meta.url).pathname;
      await promisify(execFile)(process.execPath, [cli, "set", file, "--target", "local", "--persist-to", join(dir, "wrangler")]);
    };
    const users = createClient(
      UserService,
      createConnectTransport({ baseUrl: edge.url, httpVersion: "1.1", interceptors: [withAuthorization(testAuth.bearer)] }),
    );
    // Only the decorating Node server sets this header.
    const servedBy = async () => {
      let header: string | null = null;
      await users.listUsers({}, { onHeader: (h) => (header = h.get("x-origin-header")) });
      return header ? "node" : "edge";
    };
    const eventually = async (expected: string) => {
      const deadline = Date.now() + 10_000;
      while ((await servedBy()) !== expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      return servedBy();
    };
    expect(await servedBy()).toBe("edge");
    await setEdgeConfig({
      gateway: { nodeOrigins: { "acme.user.v1.UserService": decorating.url, "acme.order.v1.OrderService": "http://127.0.0.1:9" } },
    });
    expect(await eventually("node")).toBe("node");
    // Through the edge with the secret: Node's chain sees the caller's address as the edge
    // got it (CF-Connecting-IP, which wrangler dev takes from the request here and
    // Cloudflare sets itself in production), and none of the gateway's headers.
    const seen: Record<string, string | null> = {};
    await users.listUsers(
      {},
      {
        headers: { "cf-connecting-ip": "203.0.113.50" },
        onHeader: (h) => Object.assign(seen, { address: h.get("x-origin-saw-address"), headers: h.get("x-origin-saw-gateway-headers") }),
      },
    );
    expect(seen).toEqual({ address: "203.0.113.50", headers: "none" });
    // OrderService still goes where the var says (npm start), not to the config's dead origin.
    const viaEdge = client(OrderService, edge.url, `Bearer ${await testAuth.mint({ sub: "config-origins" })}`);
    const missing = await viaEdge.getOrder({ id: crypto.randomUUID() }).catch((error) => ConnectError.from(error));
    expect(missing).toMatchObject({ code: Code.NotFound });
    await setEdgeConfig({});
    expect(await eventually("edge")).toBe("edge");
  }, 60_000);
});
