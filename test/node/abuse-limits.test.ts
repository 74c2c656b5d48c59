import http2 from "node:http2";
import net from "node:net";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserService } from "../../src/gen/acme/user/v1/user_pb.ts";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../../src/gen/grpc/health/v1/health_pb.ts";
import { readNodeEnv } from "../../src/runtime/node/node-env.ts";
import { maxConcurrentStreams } from "../../src/runtime/node/server-limits.ts";
import { connectRawH2, frame, frameType, headersFrame } from "./raw-h2.ts";
import { startTestServer } from "./test-server.ts";
import { withAuthorization } from "../shared/test-auth.ts";
import { testAuth } from "./test-auth-key.ts";

// Abuse limits (src/runtime/node/server-limits.ts, docs/abuse-limits.md). Each attack runs on
// its own connection while a well-behaved client calls the server on its own connections
// (Connect over HTTP/1.1, gRPC over h2c): the attacker is cut off within a bound, every call
// of the good client is answered correctly, and the server still serves afterwards.
// The two tunable timeouts are lowered so that the whole file runs in seconds.
const requestTimeoutMs = 2000;
const idleTimeoutMs = 2000;
/** Generous: a timeout plus node:http's 1 s check interval plus a busy machine. */
const cutOffWithinMs = 8000;

const { NGHTTP2_CANCEL, NGHTTP2_ENHANCE_YOUR_CALM, NGHTTP2_REFUSED_STREAM } = http2.constants;

let server: Awaited<ReturnType<typeof startTestServer>>;
let userId: string;
let silent: { opened: number; closedAt: Promise<number> };

beforeAll(async () => {
  server = await startTestServer({}, { REQUEST_TIMEOUT_MS: String(requestTimeoutMs), IDLE_TIMEOUT_MS: String(idleTimeoutMs) });
  const client = createClient(
    UserService,
    createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", interceptors: [withAuthorization(testAuth.bearer)] }),
  );
  const { user } = await client.createUser({ email: "good@example.com", displayName: "Good Client" });
  userId = user!.id;
  // A connection that never sends a byte waits on the 10 s preface sniffer: opened now,
  // checked by the last test, so the file does not wait for it on its own.
  const socket = net.connect(Number(new URL(server.url).port), "127.0.0.1");
  socket.on("error", () => {});
  silent = { opened: performance.now(), closedAt: new Promise((resolve) => socket.once("close", () => resolve(performance.now()))) };
});
afterAll(() => server?.stop());

/** One call by each well-behaved client (own connections); throws unless both answer correctly. */
async function goodCalls(): Promise<void> {
  for (const transport of [
    createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", interceptors: [withAuthorization(testAuth.bearer)] }),
    createGrpcTransport({ baseUrl: server.url, interceptors: [withAuthorization(testAuth.bearer)] }),
  ]) {
    const { user } = await createClient(UserService, transport).getUser({ id: userId });
    expect(user?.email).toBe("good@example.com");
  }
}

/**
 * Runs `attack` while the good clients keep calling, then once more after it: every call
 * must succeed, and some must have run during the attack.
 */
async function whileGoodClientsCall(attack: () => Promise<void>): Promise<void> {
  let attacking = true;
  let answered = 0;
  const good = (async () => {
    while (attacking) {
      await goodCalls();
      answered++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  good.catch(() => {}); // reported by the await below, once the attack is over
  try {
    await attack();
  } finally {
    attacking = false;
    await good;
  }
  expect(answered).toBeGreaterThan(0);
  await goodCalls();
}

/** Resolves with the result of `promise`, or fails naming `what` once `ms` have passed. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not cut off within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A raw HTTP/1.1 connection: what the server sent, and when it closed. */
async function rawHttp1(): Promise<{ socket: net.Socket; received: () => string; closed: Promise<void> }> {
  const socket = net.connect(Number(new URL(server.url).port), "127.0.0.1");
  let received = "";
  socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
  socket.on("error", () => {});
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  await new Promise((resolve) => socket.once("connect", resolve));
  return { socket, received: () => received, closed };
}

/** Writes `text` every `everyMs` until the socket closes: a client too slow to be useful. */
function trickle(socket: net.Socket, text: string, everyMs = 300): void {
  const timer = setInterval(() => !socket.destroyed && socket.write(text), everyMs);
  socket.once("close", () => clearInterval(timer));
}

const getUserPath = "/acme.user.v1.UserService/GetUser";

describe("HTTP/1.1 abuse limits", () => {
  it("should answer 431 to request headers over 16 KiB", async () => {
    await whileGoodClientsCall(async () => {
      const { socket, received, closed } = await rawHttp1();
      socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`);
      await within(cutOffWithinMs, "oversized headers", closed);
      expect(received()).toMatch(/^HTTP\/1\.1 431 /);
    });
  });

  it("should answer 408 and close a connection trickling its headers (slowloris)", async () => {
    await whileGoodClientsCall(async () => {
      const { socket, received, closed } = await rawHttp1();
      socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n");
      trickle(socket, "X-Slow: 1\r\n");
      await within(cutOffWithinMs, "trickled headers", closed);
      expect(received()).toMatch(/^HTTP\/1\.1 408 /);
    });
  });

  it("should answer 408 and close a connection trickling its body", async () => {
    await whileGoodClientsCall(async () => {
      const { socket, received, closed } = await rawHttp1();
      socket.write(
        `POST ${getUserPath} HTTP/1.1\r\nHost: x\r\nAuthorization: ${testAuth.bearer}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`,
      );
      trickle(socket, " ");
      await within(cutOffWithinMs, "trickled body", closed);
      expect(received()).toMatch(/^HTTP\/1\.1 408 /);
    });
  });

  it("should close an idle keep-alive connection after IDLE_TIMEOUT_MS, sooner than Node's default of 5 s", async () => {
    await whileGoodClientsCall(async () => {
      const { socket, received, closed } = await rawHttp1();
      socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
      await expect.poll(received).toMatch(/^HTTP\/1\.1 200 /);
      const idleFrom = performance.now();
      await within(cutOffWithinMs, "idle keep-alive connection", closed);
      // IDLE_TIMEOUT_MS (2 s) plus node:http's 1 s buffer; Node's own default would be 5 s plus 1 s.
      expect(performance.now() - idleFrom).toBeLessThan(5000);
    });
  });
});

describe("HTTP/2 abuse limits", () => {
  it("should refuse a stream whose headers are over 16 KiB", async () => {
    await whileGoodClientsCall(async () => {
      const h2 = await connectRawH2(server.url);
      // The limit is a SETTINGS value, in force once the client has acknowledged it.
      await expect.poll(() => h2.received.some((f) => f.type === frameType.settings)).toBe(true);
      const headers = { ":method": "GET", ":scheme": "http", ":authority": "x", ":path": "/healthz" };
      h2.write(headersFrame(1, { ...headers, "x-big": "a".repeat(20_000) }, true));
      await expect.poll(() => h2.received.find((f) => f.streamId === 1)).toBeDefined();
      const answer = h2.received.find((f) => f.streamId === 1)!;
      expect([answer.type, answer.payload.readUInt32BE(0)]).toEqual([frameType.rstStream, NGHTTP2_ENHANCE_YOUR_CALM]);
      // The session itself survives: a normal stream on it is answered.
      h2.write(headersFrame(3, headers, true));
      await expect.poll(() => h2.received.some((f) => f.streamId === 3 && f.type === frameType.headers)).toBe(true);
      h2.socket.destroy();
    });
  });

  const slowBodies = [
    // No response yet: 408.
    { path: getUserPath, contentType: "application/json", served: "a unary call on the fast path", status: 408, rstCode: 0 },
    // connect-node answers a Connect stream's headers at once: the stream is reset.
    {
      path: "/acme.user.v1.UserService/ExportUsers",
      contentType: "application/connect+json",
      served: "a Connect stream on connect-node",
      status: 200,
      rstCode: NGHTTP2_CANCEL,
    },
  ];
  it.each(slowBodies)("should cut a stream trickling its body ($served)", async ({ path, contentType, served: _, ...expected }) => {
    await whileGoodClientsCall(async () => {
      const session = http2.connect(server.url);
      session.on("error", () => {});
      const stream = session.request({ ":method": "POST", ":path": path, "content-type": contentType, authorization: testAuth.bearer });
      stream.on("error", () => {});
      stream.write("{");
      const timer = setInterval(() => !stream.destroyed && stream.write(" "), 300);
      let status = 0;
      stream.once("response", (headers) => (status = Number(headers[":status"])));
      stream.resume();
      const closed = new Promise((resolve) => stream.once("close", resolve));
      try {
        await within(cutOffWithinMs, "trickled HTTP/2 body", closed);
        expect({ status, rstCode: stream.rstCode }).toEqual(expected);
      } finally {
        clearInterval(timer);
        session.destroy();
      }
    });
  });

  it("should close (GOAWAY) a session with no open stream after IDLE_TIMEOUT_MS", async () => {
    await whileGoodClientsCall(async () => {
      const session = http2.connect(server.url);
      session.on("error", () => {});
      const goAway = new Promise<number>((resolve) => session.once("goaway", (code) => resolve(code)));
      const closed = new Promise((resolve) => session.once("close", resolve));
      const stream = session.request({ ":path": "/healthz" });
      stream.resume();
      await new Promise((resolve) => stream.once("end", resolve));
      expect(await within(cutOffWithinMs, "idle HTTP/2 session", goAway)).toBe(0);
      await within(cutOffWithinMs, "idle HTTP/2 session", closed);
    });
  });

  it("should close a session whose stream headers never end (trickled headers)", async () => {
    await whileGoodClientsCall(async () => {
      const h2 = await connectRawH2(server.url);
      // Once the SETTINGS exchange is over: a SETTINGS ACK inside a header block would be a protocol error.
      await expect.poll(() => h2.received.some((f) => f.type === frameType.settings)).toBe(true);
      const request = headersFrame(1, { ":method": "GET", ":scheme": "http", ":authority": "x", ":path": "/healthz" }, true);
      // The HEADERS frame without END_HEADERS, and never the CONTINUATION that would end it.
      h2.write(frame(frameType.headers, 0x1, 1, request.subarray(9)));
      await within(cutOffWithinMs, "trickled HTTP/2 headers", h2.closed);
    });
  });

  it(`should refuse streams beyond ${maxConcurrentStreams} open on one session`, async () => {
    await whileGoodClientsCall(async () => {
      const h2 = await connectRawH2(server.url);
      const watch = {
        ":method": "POST",
        ":scheme": "http",
        ":authority": "x",
        ":path": "/grpc.health.v1.Health/Watch",
        "content-type": "application/grpc",
      };
      // 150 streams whose requests never end: the first 100 are held open, the rest refused.
      h2.write(Buffer.concat(Array.from({ length: 150 }, (_, i) => headersFrame(2 * i + 1, watch))));
      const refused = () =>
        h2.received.filter((f) => f.type === frameType.rstStream && f.payload.readUInt32BE(0) === NGHTTP2_REFUSED_STREAM).length;
      await within(cutOffWithinMs, "streams over the limit", expect.poll(refused).toBe(50));
      // The server announced the limit in its SETTINGS (identifier 0x3).
      const settings = h2.received.find((f) => f.type === frameType.settings && f.payload.length > 0)!.payload;
      const announced = Array.from({ length: settings.length / 6 }, (_, i) => settings.subarray(6 * i, 6 * i + 6)).find(
        (s) => s.readUInt16BE(0) === 3,
      );
      expect(announced?.readUInt32BE(2)).toBe(maxConcurrentStreams);
      h2.socket.destroy();
    });
  });

  it("should end a session whose client opens and resets streams in a tight loop (rapid reset)", async () => {
    await whileGoodClientsCall(async () => {
      const h2 = await connectRawH2(server.url);
      const getUser = { ":method": "POST", ":scheme": "http", ":authority": "x", ":path": getUserPath, "content-type": "application/json" };
      const cancel = Buffer.alloc(4);
      cancel.writeUInt32BE(NGHTTP2_CANCEL);
      let id = 1;
      let sent = 0;
      const flood = () => {
        while (!h2.socket.destroyed) {
          const batch = Array.from({ length: 50 }, () => {
            const pair = Buffer.concat([headersFrame(id, getUser), frame(frameType.rstStream, 0, id, cancel)]);
            id += 2;
            return pair;
          });
          sent += batch.length;
          if (!h2.write(Buffer.concat(batch))) return h2.socket.once("drain", flood);
          if (sent % 1000 === 0) return setImmediate(flood);
        }
      };
      flood();
      await within(cutOffWithinMs, "rapid reset", h2.closed);
      expect(h2.goAwayCode()).toBeDefined();
    });
  });

  const floods = [
    { kind: "PING", flood: () => frame(frameType.ping, 0, 0, Buffer.alloc(8)) },
    { kind: "SETTINGS", flood: () => frame(frameType.settings, 0, 0) },
  ];
  it.each(floods)("should end a session flooding $kind frames with GOAWAY ENHANCE_YOUR_CALM", async ({ flood }) => {
    await whileGoodClientsCall(async () => {
      const h2 = await connectRawH2(server.url);
      // Small batches, thousands a second, paced so the ACKs are read: a client that lets
      // them pile up is ended by nghttp2 itself (GOAWAY INTERNAL_ERROR), one that reads them is not.
      const send = () => {
        if (h2.socket.destroyed) return;
        h2.write(Buffer.concat(Array.from({ length: 10 }, flood)));
        setTimeout(send, 1);
      };
      send();
      await within(cutOffWithinMs, "control frame flood", h2.closed);
      expect(h2.goAwayCode()).toBe(NGHTTP2_ENHANCE_YOUR_CALM);
    });
  });
});

describe("calls that are not attacks", () => {
  it("should leave a stream whose request has arrived open past the request and idle timeouts", async () => {
    const transports = [
      createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", interceptors: [withAuthorization(testAuth.bearer)] }),
      createGrpcTransport({ baseUrl: server.url, interceptors: [withAuthorization(testAuth.bearer)] }),
    ];
    const outcomes = transports.map(async (transport) => {
      const controller = new AbortController();
      const watch = createClient(Health, transport).watch({ service: "" }, { signal: controller.signal })[Symbol.asyncIterator]();
      expect((await watch.next()).value?.status).toBe(Status.SERVING);
      // Watch sends again only on a change: the stream just stays open, its request long complete.
      const next = watch.next().then(
        () => "ended",
        () => "failed",
      );
      const open = new Promise((resolve) => setTimeout(resolve, requestTimeoutMs + idleTimeoutMs + 1500, "open"));
      const outcome = await Promise.race([next, open]);
      controller.abort();
      await next;
      return outcome;
    });
    expect(await Promise.all(outcomes)).toEqual(["open", "open"]);
  });
});

describe("before the protocol is known", () => {
  it("should drop a connection that sends nothing within about 10 s", async () => {
    const closedAt = await within(20_000, "silent connection", silent.closedAt);
    expect(closedAt - silent.opened).toBeGreaterThan(9_000);
    await goodCalls();
  });
});

describe("REQUEST_TIMEOUT_MS and IDLE_TIMEOUT_MS", () => {
  it("should default to 60 s and 30 s", () => {
    expect(readNodeEnv({})).toMatchObject({ requestTimeoutMs: 60_000, idleTimeoutMs: 30_000 });
  });

  it("should refuse values under a second with a message naming the variable", () => {
    expect(() => readNodeEnv({ REQUEST_TIMEOUT_MS: "0" })).toThrow(
      'REQUEST_TIMEOUT_MS must be an integer from 1000 to 3600000 (milliseconds), got "0"',
    );
    expect(() => readNodeEnv({ IDLE_TIMEOUT_MS: "5s" })).toThrow(
      'IDLE_TIMEOUT_MS must be an integer from 1000 to 3600000 (milliseconds), got "5s"',
    );
  });
});
