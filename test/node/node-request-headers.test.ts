import type { IncomingHttpHeaders } from "node:http";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { appendNodeHeaders } from "../../src/runtime/node/unary/node-headers.ts";
import { NodeRequestHeaders } from "../../src/runtime/node/unary/node-request-headers.ts";

// NodeRequestHeaders answers get() and has() from Node's header object until anything
// else is asked of it. The oracle: fetch Headers filled by appendNodeHeaders, as the fast
// path made them before. Every header set below gets the same operations, in several
// orders (reads first, changes first, iteration first), on both; every answer and every
// error must be the same. Values are what Node's HTTP/1.1 and HTTP/2 parsers can hand
// over (latin1 text without NUL, CR or LF).

const token = `Bearer eyJhbGciOiJFUzI1NiJ9.${"x".repeat(300)}.${"y".repeat(86)}`;

const headerSets: IncomingHttpHeaders[] = [
  {
    ":method": "POST",
    ":path": "/acme.user.v1.UserService/GetUser",
    ":scheme": "http",
    ":authority": "127.0.0.1:8080",
    "content-type": "application/grpc",
    te: "trailers",
    authorization: token,
    "user-agent": "grpc-node-js/1.14.0",
  },
  { host: "127.0.0.1", "content-type": "application/json", "connect-protocol-version": "1", "content-length": "12" },
  { "set-cookie": ["a=1", "b=2; Path=/"], cookie: "c=3; d=4", "x-list": "one, two" },
  { "x-empty": "", "x-padded": " value\t", "x-inner": "a \t b", "x-latin1": "caf\u00e9 \u00ff" },
  { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", tracestate: "vendor=x" },
  {},
];

const names = [
  "content-type",
  "Content-Type",
  "AUTHORIZATION",
  "traceparent",
  "tracestate",
  "absent",
  "set-cookie",
  "cookie",
  "x-empty",
  "x-padded",
  "x-inner",
  "x-latin1",
  ":path",
  ":method",
  "bad name",
  "",
  "caf\u00e9",
  "\u0100",
];

type Op = (headers: Headers) => unknown;

const reads: Op[] = names.flatMap((name): Op[] => [(h) => h.get(name), (h) => h.has(name)]);
const oddCalls: Op[] = [
  (h) => h.get(7 as unknown as string),
  (h) => (h.get as (...args: unknown[]) => unknown)(),
  (h) => (h.has as (...args: unknown[]) => unknown)(),
  (h) => (h.get as (...args: unknown[]) => unknown)("content-type", "extra"),
];
const changes: Op[] = [
  (h) => h.append("x-added", "1"),
  (h) => h.set("content-type", "application/proto"),
  (h) => h.delete("authorization"),
  (h) => h.append("x-padded", "again"),
  (h) => h.set("bad name", "x"),
];
const iterations: Op[] = [
  (h) => [...h],
  (h) => [...h.keys()],
  (h) => [...h.values()],
  (h) => [...h.entries()],
  (h) => {
    const seen: string[][] = [];
    h.forEach((value, key, self) => {
      seen.push([key, value, String(self === h)]);
    });
    return seen;
  },
  (h) => h.getSetCookie(),
  (h) => inspect(h),
];

/** What an operation returned or threw. */
function outcome(op: Op, headers: Headers): unknown {
  try {
    return { value: op(headers) };
  } catch (error) {
    return { threw: (error as Error).constructor.name, message: (error as Error).message };
  }
}

const orders: Record<string, Op[]> = {
  "reads, then changes, then iteration": [...reads, ...oddCalls, ...changes, ...reads, ...iterations],
  "iteration first": [...iterations, ...reads],
  "a change first": [changes[0] as Op, ...reads, ...iterations],
  "getSetCookie first": [(h) => h.getSetCookie(), ...reads],
  "util.inspect first": [(h) => inspect(h), ...reads],
};

describe("NodeRequestHeaders (oracle: Headers filled by appendNodeHeaders)", () => {
  for (const [order, ops] of Object.entries(orders)) {
    it(`should answer as the oracle: ${order}`, () => {
      for (const node of headerSets) {
        const ours = new NodeRequestHeaders(node);
        const oracle = appendNodeHeaders(new Headers(), node);
        ops.forEach((op, i) => {
          expect(outcome(op, ours), `${JSON.stringify(node)}, operation ${i}`).toEqual(outcome(op, oracle));
        });
      }
    });
  }

  it("should be fetch Headers to whoever checks", () => {
    const headers = new NodeRequestHeaders({ "content-type": "application/json", authorization: token });
    expect(headers).toBeInstanceOf(Headers);
    expect(Object.prototype.toString.call(headers)).toBe("[object Headers]");
    expect(Object.fromEntries(new Headers(headers))).toEqual({ "content-type": "application/json", authorization: token });
    expect(new Request("http://127.0.0.1/", { headers }).headers.get("authorization")).toBe(token);
  });

  it("should leave Node's object as it was", () => {
    const node: IncomingHttpHeaders = { "content-type": "application/json", "x-padded": " v " };
    const headers = new NodeRequestHeaders(node);
    headers.get("x-padded");
    headers.set("content-type", "text/plain");
    expect(node).toEqual({ "content-type": "application/json", "x-padded": " v " });
  });
});
