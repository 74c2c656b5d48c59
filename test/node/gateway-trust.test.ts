import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError, type Interceptor, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { trace } from "@opentelemetry/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health } from "../../src/gen/grpc/health/v1/health_pb.ts";
import { clientAddressKey } from "../../src/protocol/client-address.ts";
import { readNodeEnv } from "../../src/runtime/node/node-env.ts";
import { type RunningServer, startServer } from "../../src/runtime/node/start-server.ts";
import { testAuth } from "./test-auth-key.ts";

// Node's side of the edge gateway (docs/gateway.md): a call presenting GATEWAY_SECRET is
// not rate limited again and counts as coming from the address the edge forwarded; any
// other call keeps its TCP peer address and its limit. The headers never reach the chain.
const secret = "0123456789abcdef0123456789abcdef-gateway";

describe.each(["on", "off"])("GATEWAY_SECRET on a Node server (UNARY_FAST_PATH=%s)", (fastPath) => {
  const dir = mkdtempSync(join(tmpdir(), "connect-template-gateway-trust-"));
  const seen: { address: string | undefined; headers: string[] }[] = [];
  // Replaces the chain: records what the interceptors and services would see.
  const recorder: Interceptor = (next) => (req) => {
    seen.push({
      address: req.contextValues.get(clientAddressKey),
      headers: [...req.header.keys()].filter((name) => name.startsWith("x-gateway")),
    });
    return next(req);
  };
  let server: RunningServer;
  beforeAll(async () => {
    const env = readNodeEnv({
      HOST: "127.0.0.1",
      PORT: "0",
      DATABASE_PATH: join(dir, "app.db"),
      GATEWAY_SECRET: secret,
      CONFIG_RATE_LIMITS_REQUESTS: "2",
      UNARY_FAST_PATH: fastPath,
      ...testAuth.vars,
    });
    server = await startServer(env, { log: () => {}, configLog: () => {}, tracer: trace.getTracer("test") }, { interceptors: [recorder] });
  });
  afterAll(async () => {
    await server?.stop(1_000);
    rmSync(dir, { recursive: true, force: true });
  });

  const transports = {
    "Connect, HTTP/1.1": () => createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" }),
    "gRPC, HTTP/2": () => createGrpcTransport({ baseUrl: server.url }),
  };
  // Anonymous health checks: counted per address, limit 2 a minute.
  const check = (transport: keyof typeof transports, headers: Record<string, string>) =>
    createClient(Health, transports[transport]())
      .check({}, { headers })
      .then(
        () => "ok",
        (error) => Code[ConnectError.from(error).code],
      );

  it.each(Object.keys(transports) as (keyof typeof transports)[])(
    "should trust the edge's secret over %s: no rate limit, the forwarded address, headers removed",
    async (transport) => {
      seen.length = 0;
      const outcomes = [];
      for (let i = 0; i < 5; i++) {
        outcomes.push(await check(transport, { "x-gateway-secret": secret, "x-gateway-client-address": `203.0.113.${i}` }));
      }
      expect(outcomes).toEqual(["ok", "ok", "ok", "ok", "ok"]);
      expect(seen.map((s) => s.address)).toEqual(["203.0.113.0", "203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"]);
      expect(seen.flatMap((s) => s.headers)).toEqual([]);
    },
  );

  it("should not trust a spoofed header from a direct client: its peer address counts, and its limit", async () => {
    seen.length = 0;
    const spoofs: Record<string, string>[] = [
      { "x-gateway-secret": "a guess", "x-gateway-client-address": "198.51.100.1" },
      { "x-gateway-secret": `${secret}x`, "x-gateway-client-address": "198.51.100.2" },
      { "x-gateway-client-address": "198.51.100.3" },
      { "x-gateway-secret": secret.slice(0, -1), "x-gateway-client-address": "198.51.100.4" },
    ];
    const outcomes = [];
    for (const headers of spoofs) outcomes.push(await check("Connect, HTTP/1.1", headers));
    // Two a minute for 127.0.0.1, whatever address each call claimed.
    expect(outcomes).toEqual(["ok", "ok", "ResourceExhausted", "ResourceExhausted"]);
    expect(seen).toEqual([
      { address: "127.0.0.1", headers: [] },
      { address: "127.0.0.1", headers: [] },
    ]);
  });
});

describe("GATEWAY_SECRET", () => {
  it("should be refused when shorter than 32 characters, without printing it", () => {
    expect(() => readNodeEnv({ GATEWAY_SECRET: "short-secret" })).toThrow(/^GATEWAY_SECRET must be at least 32 characters.*got 12$/);
  });
});
