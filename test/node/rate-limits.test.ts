import { rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { Code, type ConnectError, type Transport, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isRateLimited } from "../../src/gen/acme/ratelimit/v1/errors_reasons.ts";
import { UserService } from "../../src/gen/acme/user/v1/user_pb.ts";
import { Health } from "../../src/gen/grpc/health/v1/health_pb.ts";
import { RetryInfoSchema } from "../../src/gen/google/rpc/error_details_pb.ts";
import { failure } from "../shared/expect-failure.ts";
import { withAuthorization } from "../shared/test-auth.ts";
import { configFile } from "./config-files.ts";
import { testAuth } from "./test-auth-key.ts";
import { startTestServer } from "./test-server.ts";

/** 3 calls per caller and method a minute; Health/Check 1 a second (to see a window end). */
const limits = {
  rateLimits: { requests: 3, periodSeconds: 60, methods: { "grpc.health.v1.Health/Check": { requests: 1, periodSeconds: 1 } } },
};

/** Polls `check` until it holds (config is re-read every 50 ms here). */
async function eventually(check: () => Promise<boolean>, ms = 3_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function expectRateLimited(error: ConnectError, seconds: number): void {
  expect(error.code).toBe(Code.ResourceExhausted);
  expect(isRateLimited(error)).toBe(true);
  expect(error.rawMessage).toBe(`rate limit exceeded for this method; retry in ${seconds} s`);
  expect(Number(error.findDetails(RetryInfoSchema)[0]?.retryDelay?.seconds)).toBe(seconds);
  // Connect: a response header; gRPC and gRPC-Web: a trailer. Both reach the error's metadata.
  expect(error.metadata.get("retry-after")).toBe(String(seconds));
}

describe.each(["on", "off"])("rate limits on a Node server (UNARY_FAST_PATH=%s)", (fastPath) => {
  const file = configFile(limits);
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer({}, { CONFIG_FILE: file, CONFIG_REFRESH_MS: "50", UNARY_FAST_PATH: fastPath });
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dirname(file), { recursive: true, force: true });
  });

  const transports: Record<string, () => Transport> = {
    "Connect, HTTP/1.1": () => createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" }),
    "gRPC, HTTP/2": () => createGrpcTransport({ baseUrl: server.url }),
    "gRPC-Web, HTTP/1.1": () => createGrpcWebTransport({ baseUrl: server.url, httpVersion: "1.1" }),
  };

  it.each(Object.keys(transports))(
    "should refuse a subject over its limit per method over %s, and only that subject and method",
    async (name) => {
      const subject = `ada-${fastPath}-${name}`;
      const as = async (sub: string) => ({ headers: { authorization: `Bearer ${await testAuth.mint({ sub })}` } });
      const users = createClient(UserService, transports[name]!());
      const ada = await as(subject);
      for (let i = 0; i < 3; i++) await users.listUsers({}, ada);
      expectRateLimited(await failure(users.listUsers({}, ada)), 60);

      // Another method, another subject: their own counts.
      expect((await failure(users.getUser({ id: "00000000-0000-4000-8000-000000000000" }, ada))).code).toBe(Code.NotFound);
      await users.listUsers({}, await as(`bob-${fastPath}-${name}`));

      const refused = server.logs.filter((line) => line.subject === subject && line.code === "RESOURCE_EXHAUSTED");
      expect(refused).toEqual([
        expect.objectContaining({
          procedure: "acme.user.v1.UserService/ListUsers",
          refused: `rate limit exceeded: 3 calls per 60 s for sub:${subject}`,
        }),
      ]);
    },
  );

  it("should answer a refused Connect call with HTTP 429 and a retry-after header", async () => {
    const post = () =>
      fetch(`${server.url}/acme.user.v1.UserService/ListUsers`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: "{}",
      });
    const token = await testAuth.mint({ sub: `curl-${fastPath}` });
    for (let i = 0; i < 3; i++) expect((await post()).status).toBe(200);
    const response = await post();
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("60");
    expect(await response.json()).toMatchObject({
      code: "resource_exhausted",
      message: "rate limit exceeded for this method; retry in 60 s",
    });
  });

  it("should count anonymous callers by their address, and let them in again after the window", async () => {
    const health = createClient(Health, createGrpcTransport({ baseUrl: server.url }));
    // Another test's earlier call may still be in this second's window.
    await eventually(async () => (await health.check({}).catch(() => undefined)) !== undefined);
    expectRateLimited(await failure(health.check({})), 1);
    const line = server.logs.findLast((l) => l.procedure === "grpc.health.v1.Health/Check" && l.code === "RESOURCE_EXHAUSTED");
    expect(line?.refused).toBe("rate limit exceeded: 1 calls per 1 s for ip:127.0.0.1");
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await health.check({});
  });

  it("should follow a config change without a restart: a raised limit, then none", async () => {
    const users = createClient(
      UserService,
      createConnectTransport({
        baseUrl: server.url,
        httpVersion: "1.1",
        interceptors: [withAuthorization(`Bearer ${await testAuth.mint({ sub: `hot-${fastPath}` })}`)],
      }),
    );
    for (let i = 0; i < 3; i++) await users.listUsers({});
    expectRateLimited(await failure(users.listUsers({})), 60);

    writeFileSync(file, JSON.stringify({ rateLimits: { ...limits.rateLimits, requests: 10 } }));
    await eventually(async () => (await users.listUsers({}).catch(() => undefined)) !== undefined);
    for (let i = 0; i < 9; i++) await users.listUsers({});
    expectRateLimited(await failure(users.listUsers({})), 60);

    writeFileSync(file, JSON.stringify({ rateLimits: { ...limits.rateLimits, enabled: false } }));
    await eventually(async () => (await users.listUsers({}).catch(() => undefined)) !== undefined);
    for (let i = 0; i < 20; i++) await users.listUsers({});
  });
});
