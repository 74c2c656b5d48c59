import http2 from "node:http2";
import { trace } from "@opentelemetry/api";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allScopes } from "../shared/test-auth.ts";
import { createApp } from "../../src/app.ts";
import { defaultConfig } from "../../src/config/defaults.ts";
import { createReadiness } from "../../src/health/readiness.ts";
import { migrate } from "../../src/runtime/node/migrate.ts";
import { type OnePortServer, listenOnePort } from "../../src/runtime/node/one-port-server.ts";
import { openSqliteDatabase } from "../../src/runtime/node/sqlite.ts";
import { http1Unary } from "../../src/runtime/node/unary/http1-unary.ts";
import { compatStream } from "../../src/runtime/node/unary/http2-compat.ts";
import { http2Unary } from "../../src/runtime/node/unary/http2-unary.ts";
import { createUnaryRoutes } from "../../src/runtime/node/unary/unary-route.ts";
import { sendHttp1, sendHttp2 } from "./differential/raw-exchange.ts";

// Which requests the fast path takes: unary POSTs in a protocol it knows, and server
// streams over gRPC and gRPC-Web. Everything else must reach the fallback (stock
// connect-node in the server) untouched.
let server: OnePortServer;
let url: string;
const fallbackSaw: string[] = [];

beforeAll(async () => {
  const db = openSqliteDatabase(":memory:");
  await migrate(db);
  const app = createApp({
    // This test is about routing: every call is let in as a caller with every scope.
    verifyToken: () => ({ ok: true, caller: { subject: "tester", scopes: new Set(allScopes) } }),
    db,
    userServiceTransport: createConnectTransport({ baseUrl: "http://127.0.0.1:9", httpVersion: "1.1" }),
    log: () => {},
    tracer: trace.getTracer("test"),
    config: defaultConfig,
    readiness: createReadiness([]),
  });
  const routes = createUnaryRoutes(app.services, app.options);
  const fallback = (req: { url?: string }, res: { writeHead(status: number): { end(): void } }) => {
    fallbackSaw.push(req.url ?? "");
    res.writeHead(418).end();
  };
  server = await listenOnePort(
    { http1: http1Unary(routes, fallback), http2: http2Unary(routes, compatStream(fallback)) },
    { host: "127.0.0.1", port: 0 },
  );
  url = `http://127.0.0.1:${server.address.port}`;
});
afterAll(() => server.close(100));

const getUser = "/acme.user.v1.UserService/GetUser";
const json = { "content-type": "application/json" };
const body = new TextEncoder().encode(JSON.stringify({ id: crypto.randomUUID() }));

async function h2(request: Parameters<typeof sendHttp2>[1]) {
  const session = http2.connect(url);
  try {
    return await sendHttp2(session, request);
  } finally {
    session.close();
  }
}

describe("http1Unary and http2Unary", () => {
  it("should serve unary POSTs of every protocol, and gRPC and gRPC-Web server streams, themselves", async () => {
    fallbackSaw.length = 0;
    const grpc = { "content-type": "application/grpc", te: "trailers" };
    const frame = new Uint8Array([0, 0, 0, 0, 0]);
    const answers = [
      await sendHttp1(url, { method: "POST", path: getUser, headers: json, body }),
      await h2({ method: "POST", path: getUser, headers: json, body }),
      await h2({ method: "POST", path: getUser, headers: grpc, body: frame }),
      await h2({ method: "POST", path: getUser, headers: { "content-type": "application/grpc-web+proto" }, body: frame }),
      await sendHttp1(url, { method: "POST", path: getUser, headers: { "content-type": "application/grpc-web" }, body: frame }),
    ];
    expect(answers.map((a) => a.status)).toEqual([404, 404, 200, 200, 200]);
    const exportUsers = "/acme.user.v1.UserService/ExportUsers";
    const streams = [
      await h2({ method: "POST", path: exportUsers, headers: grpc, body: frame }),
      await sendHttp1(url, { method: "POST", path: exportUsers, headers: { "content-type": "application/grpc-web+proto" }, body: frame }),
    ];
    expect(streams.map((a) => a.status)).toEqual([200, 200]);
    expect(fallbackSaw).toEqual([]);
  });

  it("should hand everything else to the fallback", async () => {
    fallbackSaw.length = 0;
    const stream = "/acme.user.v1.UserService/ExportUsers";
    const answers = [
      await h2({ method: "POST", path: stream, headers: { "content-type": "application/connect+proto" }, body: new Uint8Array(5) }),
      await sendHttp1(url, { method: "GET", path: `${getUser}?connect=v1&encoding=json&message=%7B%7D`, headers: {} }),
      await sendHttp1(url, { method: "POST", path: getUser, headers: { "content-type": "text/plain" }, body }),
      await sendHttp1(url, { method: "POST", path: getUser, headers: { "content-type": "application/grpc" }, body }),
      await sendHttp1(url, { method: "POST", path: getUser, headers: { "content-type": "application/grpc-web-text" }, body }),
      await h2({ method: "POST", path: "/nope", headers: json, body }),
    ];
    expect(answers.map((a) => a.status)).toEqual([418, 418, 418, 418, 418, 418]);
    expect(fallbackSaw).toEqual([stream, `${getUser}?connect=v1&encoding=json&message=%7B%7D`, getUser, getUser, getUser, "/nope"]);
  });
});
