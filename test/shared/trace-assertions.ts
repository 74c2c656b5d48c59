import { expect } from "vitest";

/** A span as OTLP/HTTP JSON carries it, flattened with its resource's service name. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** 1 internal, 2 server, 3 client. */
  kind: number;
  status?: { code?: number; message?: string };
  attributes: Record<string, string | number | boolean>;
  service: string;
  events?: { name: string }[];
}

/** A W3C traceparent for a fresh, sampled trace, and its ids. */
export function newTraceparent() {
  const hex = (bytes: number) => [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
  const traceId = hex(16);
  const spanId = hex(8);
  return { traceId, spanId, header: `00-${traceId}-${spanId}-01` };
}

/**
 * Checks the spans of one CreateOrder call that entered with `caller`'s traceparent:
 * OrderService SERVER span -> UserService CLIENT span -> UserService SERVER span, one
 * trace, each the parent of the next, with the RPC semantic-convention attributes.
 */
export function expectCreateOrderTrace(spans: ReceivedSpan[], caller: { traceId: string; spanId: string }) {
  const inTrace = spans.filter((span) => span.traceId === caller.traceId);
  const find = (name: string, kind: number) => {
    const span = inTrace.find((s) => s.name === name && s.kind === kind);
    expect(span, `${name} (kind ${kind}) in ${JSON.stringify(inTrace.map((s) => [s.name, s.kind]))}`).toBeDefined();
    return span!;
  };
  const order = find("acme.order.v1.OrderService/CreateOrder", 2);
  const client = find("acme.user.v1.UserService/GetUser", 3);
  const user = find("acme.user.v1.UserService/GetUser", 2);
  expect(order.parentSpanId).toBe(caller.spanId);
  expect(client.parentSpanId).toBe(order.spanId);
  expect(user.parentSpanId).toBe(client.spanId);
  expect(order.attributes).toMatchObject({
    "rpc.system.name": "connectrpc",
    "rpc.method": "acme.order.v1.OrderService/CreateOrder",
    "rpc.response.status_code": "OK",
  });
  expect(client.attributes).toMatchObject({ "rpc.method": "acme.user.v1.UserService/GetUser", "rpc.response.status_code": "OK" });
  expect(user.attributes).toMatchObject({ "rpc.method": "acme.user.v1.UserService/GetUser", "rpc.response.status_code": "OK" });
  expect(order.attributes["error.type"]).toBeUndefined();
  return { order, client, user };
}
