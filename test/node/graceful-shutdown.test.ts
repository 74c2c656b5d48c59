import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, describe, expect, it } from "vitest";
import { OrderService } from "../../src/gen/acme/order/v1/order_pb.ts";
import { UserService } from "../../src/gen/acme/user/v1/user_pb.ts";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../../src/gen/grpc/health/v1/health_pb.ts";
import { type ServerProcess, startServerProcess } from "./server-process.ts";
import { withAuthorization } from "../shared/test-auth.ts";
import { testAuth } from "./test-auth-key.ts";

const dir = mkdtempSync(join(tmpdir(), "connect-template-shutdown-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const exitOf = (server: ServerProcess) =>
  new Promise<number | null>((resolve) => {
    if (server.child.exitCode !== null) resolve(server.child.exitCode);
    else server.child.once("exit", (code) => resolve(code));
  });

/** Resolves once `text` has appeared on the process's stdout. */
async function printed(server: ServerProcess, text: string): Promise<void> {
  await expect.poll(() => server.stdout().includes(text), { timeout: 5000, interval: 5 }).toBe(true);
}

/** Whether a new TCP connection to the server is refused. */
function refused(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED"));
  });
}

describe("graceful shutdown of `npm start`", () => {
  it("should exit 0 within a second when idle, even after a CreateOrder opened its own connection to UserService", async () => {
    const server = await startServerProcess({ DATABASE_PATH: join(dir, "idle.db") });
    const transport = createConnectTransport({
      baseUrl: server.url,
      httpVersion: "1.1",
      interceptors: [withAuthorization(testAuth.bearer)],
    });
    const { user } = await createClient(UserService, transport).createUser({ email: "idle@example.com", displayName: "Idle" });
    await createClient(OrderService, transport).createOrder({ userId: user!.id, items: [{ sku: "A-1", quantity: 1 }] });
    const started = performance.now();
    const code = await server.stop("SIGTERM");
    const tookMs = performance.now() - started;
    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(1000); // it was about 9 s: the self connection held the drain until the grace ran out
    expect(server.stdout()).toContain("drained, exiting");
  });

  it("should go NOT_SERVING at once and keep serving for SHUTDOWN_DELAY_MS, then exit", async () => {
    const server = await startServerProcess({ DATABASE_PATH: join(dir, "delay.db"), SHUTDOWN_DELAY_MS: "1500" });
    const transport = createConnectTransport({ baseUrl: server.url, httpVersion: "2", interceptors: [withAuthorization(testAuth.bearer)] });
    const watch = createClient(Health, transport).watch({ service: "" })[Symbol.asyncIterator]();
    expect((await watch.next()).value?.status).toBe(Status.SERVING);
    const exited = exitOf(server);
    server.child.kill("SIGTERM");
    // The Watch stream hears it first, then the probes and Check say so, while RPCs on new connections still work.
    expect((await watch.next()).value?.status).toBe(Status.NOT_SERVING);
    const readyz = await fetch(`${server.url}/readyz`);
    expect([readyz.status, await readyz.text()]).toEqual([503, "not ready: shutting down\n"]);
    expect(
      (
        await createClient(
          Health,
          createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", interceptors: [withAuthorization(testAuth.bearer)] }),
        ).check({ service: "" })
      ).status,
    ).toBe(Status.NOT_SERVING);
    const { user } = await createClient(
      UserService,
      createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", interceptors: [withAuthorization(testAuth.bearer)] }),
    ).createUser({
      email: "late@example.com",
      displayName: "Late",
    });
    expect(user?.email).toBe("late@example.com");
    expect(server.child.exitCode).toBeNull();
    // Once the delay is over, the Watch stream ends and the process exits.
    expect((await watch.next()).done).toBe(true);
    expect(await exited).toBe(0);
  });

  it("should exit at once on a second signal", async () => {
    const server = await startServerProcess({ DATABASE_PATH: join(dir, "twice.db"), SHUTDOWN_DELAY_MS: "60000" });
    const exited = exitOf(server);
    server.child.kill("SIGTERM");
    await printed(server, "SIGTERM received, draining");
    server.child.kill("SIGINT");
    expect(await exited).toBe(1);
  });

  it("should refuse a bad SHUTDOWN_GRACE_MS at start, naming it", async () => {
    await expect(startServerProcess({ DATABASE_PATH: join(dir, "bad.db"), SHUTDOWN_GRACE_MS: "soon" })).rejects.toThrow(
      /SHUTDOWN_GRACE_MS must be an integer from 0 to 3600000 \(milliseconds\), got "soon"/,
    );
  });
});

/** A CreateUser whose request body is half sent: the server has accepted the call and waits for the rest. */
interface PendingCall {
  finish(): void;
  result: Promise<{ status: number; body: string }>;
}

function createUserBody(i: number): Buffer {
  return Buffer.from(JSON.stringify({ email: `drain-${i}@example.com`, displayName: `Drain ${i}` }));
}

function pendingHttp1(url: string, agent: http.Agent, i: number): PendingCall {
  const body = createUserBody(i);
  const half = body.length >> 1;
  const req = http.request(`${url}/acme.user.v1.UserService/CreateUser`, {
    method: "POST",
    agent,
    headers: { "content-type": "application/json", "content-length": body.length, authorization: testAuth.bearer },
  });
  const result = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
  });
  req.flushHeaders();
  req.write(body.subarray(0, half));
  return { finish: () => req.end(body.subarray(half)), result };
}

function pendingHttp2(session: http2.ClientHttp2Session, i: number): PendingCall {
  const body = createUserBody(i);
  const half = body.length >> 1;
  const stream = session.request({
    ":method": "POST",
    ":path": "/acme.user.v1.UserService/CreateUser",
    "content-type": "application/json",
    authorization: testAuth.bearer,
  });
  const result = new Promise<{ status: number; body: string }>((resolve, reject) => {
    let status = 0;
    let text = "";
    stream.on("response", (headers) => (status = Number(headers[":status"])));
    stream.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
    stream.on("end", () => resolve({ status, body: text }));
    stream.on("error", reject);
  });
  stream.write(body.subarray(0, half));
  return { finish: () => stream.end(body.subarray(half)), result };
}

/** A Connect server stream of ExportUsers whose reader stalls until resumed: the server is mid-stream. */
function stalledExport(url: string, session: http2.ClientHttp2Session | undefined, agent: http.Agent) {
  const envelope = Buffer.from([0, 0, 0, 0, 2, ...Buffer.from("{}")]);
  const headers = { "content-type": "application/connect+json", authorization: testAuth.bearer };
  let resume!: () => void;
  let started!: () => void;
  const headersIn = new Promise<void>((resolve) => (started = resolve));
  const result = new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
    const collect = (status: number, source: NodeJS.ReadableStream & { pause(): void; resume(): void }) => {
      const chunks: Buffer[] = [];
      source.pause();
      resume = () => source.resume();
      started();
      source.on("data", (chunk: Buffer) => chunks.push(chunk));
      source.on("end", () => resolve({ status, body: Buffer.concat(chunks) }));
      source.on("error", reject);
    };
    if (session) {
      const stream = session.request({ ":method": "POST", ":path": "/acme.user.v1.UserService/ExportUsers", ...headers });
      stream.on("response", (h) => collect(Number(h[":status"]), stream));
      stream.on("error", reject);
      stream.end(envelope);
    } else {
      const req = http.request(`${url}/acme.user.v1.UserService/ExportUsers`, { method: "POST", agent, headers });
      req.on("response", (res) => collect(res.statusCode ?? 0, res));
      req.on("error", reject);
      req.end(envelope);
    }
  });
  return { result, started: headersIn, resume: () => resume() };
}

/** The Connect streaming envelopes of a body: messages, then the end-of-stream JSON. */
function envelopes(body: Buffer): { messages: number; end: { error?: unknown } } {
  let messages = 0;
  let end: { error?: unknown } = {};
  for (let at = 0; at < body.length; ) {
    const flags = body[at]!;
    const length = body.readUInt32BE(at + 1);
    const payload = body.subarray(at + 5, at + 5 + length).toString("utf8");
    if (flags & 0b10) end = JSON.parse(payload) as { error?: unknown };
    else messages++;
    at += 5 + length;
  }
  return { messages, end };
}

describe("graceful shutdown under load", () => {
  it("should finish every call accepted before SIGTERM (unary and streams, HTTP/1.1 and h2c), refuse new connections, then exit 0 having lost nothing", async () => {
    const dbPath = join(dir, "load.db");
    let server = await startServerProcess({ DATABASE_PATH: dbPath });
    const seedClient = createClient(
      UserService,
      createConnectTransport({ baseUrl: server.url, httpVersion: "2", interceptors: [withAuthorization(testAuth.bearer)] }),
    );
    const seeded = 1000; // ~150 KB per export: more than an h2 stream window, so a stalled reader keeps it open
    for (let i = 0; i < seeded; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, j) => seedClient.createUser({ email: `seed-${i + j}@example.com`, displayName: `Seed ${i + j}` })),
      );
    }
    const agent = new http.Agent({ keepAlive: true, maxSockets: 200 });
    const sessions = Array.from({ length: 4 }, () => http2.connect(server.url));
    // 100 unary calls on HTTP/1.1, 100 on h2c, each with half its body sent; 40 stalled streams.
    const unary = [
      ...Array.from({ length: 100 }, (_, i) => pendingHttp1(server.url, agent, i)),
      ...Array.from({ length: 100 }, (_, i) => pendingHttp2(sessions[i % 4]!, 100 + i)),
    ];
    const streams = Array.from({ length: 40 }, (_, i) => stalledExport(server.url, i % 2 ? sessions[i % 4] : undefined, agent));
    // Every stream has its response headers (the server is writing it) before the signal.
    await Promise.all(streams.map((s) => s.started));
    // The half-sent unary calls have reached the server (it reads their bodies) by now.
    await new Promise((resolve) => setTimeout(resolve, 300));

    const exited = exitOf(server);
    server.child.kill("SIGTERM");
    await printed(server, "SIGTERM received, draining");
    await expect.poll(() => refused(server.url), { timeout: 3000, interval: 20 }).toBe(true);
    expect(server.child.exitCode).toBeNull(); // calls are in flight: still draining

    for (const call of unary) call.finish();
    for (const stream of streams) stream.resume();
    const results = await Promise.all(unary.map((call) => call.result));
    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    for (const { status, body } of await Promise.all(streams.map((s) => s.result))) {
      expect(status).toBe(200);
      const { messages, end } = envelopes(body);
      expect(end.error).toBeUndefined();
      expect(messages).toBeGreaterThanOrEqual(seeded);
    }
    for (const session of sessions) session.close();
    agent.destroy();
    expect(await exited).toBe(0);

    // Nothing written is lost: every user created during the drain is there after a restart.
    server = await startServerProcess({ DATABASE_PATH: dbPath });
    try {
      const client = createClient(
        UserService,
        createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", interceptors: [withAuthorization(testAuth.bearer)] }),
      );
      let count = 0;
      for await (const _ of client.exportUsers({})) count++;
      expect(count).toBe(seeded + 200);
    } finally {
      await server.stop();
    }
  }, 60_000);
});
