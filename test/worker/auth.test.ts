import { Code, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/runtime/worker/index.ts";
import { UserService } from "../../src/gen/acme/user/v1/user_pb.ts";
import type { WorkerEnv } from "../../src/runtime/worker/worker-env.ts";
import { authContract } from "../shared/auth-contract.ts";
import { failure } from "../shared/expect-failure.ts";
import { anonymousFetch, testAuth, workerOrigin } from "./worker-fetch.ts";

afterEach(() => vi.restoreAllMocks());

function fetchWith(authorization: string | undefined): typeof fetch {
  return ((input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, { ...init, redirect: "manual" });
    if (authorization) request.headers.set("authorization", authorization);
    return anonymousFetch(request);
  }) as typeof fetch;
}

describe("auth on the Worker, Connect", () => {
  authContract(
    () => testAuth,
    (authorization) => createConnectTransport({ baseUrl: workerOrigin, fetch: fetchWith(authorization) }),
  );
});

describe("auth on the Worker, gRPC-Web", () => {
  authContract(
    () => testAuth,
    (authorization) => createGrpcWebTransport({ baseUrl: workerOrigin, fetch: fetchWith(authorization) }),
  );
});

/** The Worker with `vars` laid over the test bindings (a fresh env object: a fresh app). */
function clientWith(vars: Partial<Record<keyof WorkerEnv, string | undefined>>, authorization = testAuth.bearer) {
  const testEnv = { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: undefined, ...vars } as WorkerEnv;
  const ctx = { waitUntil: (p: Promise<unknown>) => void p.catch(() => undefined), passThroughOnException() {} };
  const call = ((input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, { ...init, redirect: "manual" });
    request.headers.set("authorization", authorization);
    return worker.fetch(request as Parameters<typeof worker.fetch>[0], testEnv, ctx as unknown as ExecutionContext);
  }) as typeof fetch;
  return { client: createClient(UserService, createConnectTransport({ baseUrl: workerOrigin, fetch: call })), call };
}

describe("auth settings on the Worker", () => {
  it("should refuse every protected call when no issuer is configured, and say so in the log", async () => {
    const errors = vi.spyOn(console, "error");
    const { client } = clientWith({ AUTH_ISSUER: undefined, AUTH_AUDIENCE: undefined, AUTH_JWKS: undefined });
    const error = await failure(client.listUsers({}));
    expect(error.code).toBe(Code.Unauthenticated);
    expect(error.rawMessage).toBe("this server accepts no tokens: authentication is not configured");
    expect(errors.mock.calls.map((c) => String(c[0])).join("\n")).toContain("auth: no AUTH_ISSUER configured");
  });

  it("should answer a generic 500 and log which variable is wrong when the AUTH_* set is partial", async () => {
    const errors = vi.spyOn(console, "error");
    const { call } = clientWith({ AUTH_AUDIENCE: undefined });
    const response = await call(`${workerOrigin}/acme.user.v1.UserService/ListUsers`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain("AUTH_");
    expect(errors.mock.calls.map((c) => String(c[0])).join("\n")).toContain("AUTH_AUDIENCE must be set");
  });

  it("should log the subject of an allowed call and why a refused one was refused, never the token", async () => {
    const logs = vi.spyOn(console, "log");
    const token = await testAuth.mint({ sub: "ada", scopes: ["users:read"] });
    const { client } = clientWith({}, `Bearer ${token}`);
    await client.listUsers({});
    await failure(client.createUser({ email: "x@example.com", displayName: "X" }));
    const lines = logs.mock.calls.map((c) => String(c[0])).filter((l) => l.startsWith("{"));
    expect(lines.join("\n")).not.toContain(token);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.find((l) => l.procedure === "acme.user.v1.UserService/ListUsers")).toMatchObject({ code: "OK", subject: "ada" });
    expect(parsed.find((l) => l.procedure === "acme.user.v1.UserService/CreateUser")).toMatchObject({
      code: "PERMISSION_DENIED",
      subject: "ada",
      refused: "subject ada lacks users:write",
    });
  });
});
