import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OrderService } from "../../src/gen/acme/order/v1/order_pb.ts";
import { UserService } from "../../src/gen/acme/user/v1/user_pb.ts";
import { type ReceivedSpan, expectCreateOrderTrace, newTraceparent } from "../shared/trace-assertions.ts";
import { uniqueEmail } from "../shared/user-service-contract.ts";
import { startOtlpReceiver } from "../otlp-receiver.ts";
import { startServerProcess } from "./server-process.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withAuthorization } from "../shared/test-auth.ts";
import { testAuth } from "./test-auth-key.ts";

let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
const dir = mkdtempSync(join(tmpdir(), "connect-template-otlp-"));
beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `calls` against a fresh `npm start` process exporting to the receiver, then stops it (flushing spans). */
async function withTracedServer(env: Record<string, string>, calls: (url: string) => Promise<void>): Promise<ReceivedSpan[]> {
  const before = receiver.spans.length;
  const server = await startServerProcess({
    DATABASE_PATH: join(dir, `${crypto.randomUUID()}.db`),
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_SERVICE_NAME: "template-under-test",
    ...env,
  });
  try {
    await calls(server.url);
  } finally {
    expect(await server.stop()).toBe(0); // SIGTERM flushes the batch processor
  }
  return receiver.spans.slice(before);
}

function clients(url: string) {
  const transport = createConnectTransport({ baseUrl: url, httpVersion: "1.1", interceptors: [withAuthorization(testAuth.bearer)] });
  return { users: createClient(UserService, transport), orders: createClient(OrderService, transport) };
}

describe("OpenTelemetry on the Node server", () => {
  it("should export one trace across OrderService and the UserService call it makes", async () => {
    const caller = newTraceparent();
    const spans = await withTracedServer({}, async (url) => {
      const { users, orders } = clients(url);
      const { user } = await users.createUser({ email: uniqueEmail("traced"), displayName: "Traced" });
      await orders.createOrder(
        { userId: user?.id ?? "", items: [{ sku: "BOOK-1", quantity: 1 }] },
        { headers: { traceparent: caller.header } },
      );
    });
    const { order } = expectCreateOrderTrace(spans, caller);
    expect(order.service).toBe("template-under-test");
  });

  it("should record a failed call with error.type and status code", async () => {
    const caller = newTraceparent();
    const spans = await withTracedServer({}, async (url) => {
      await clients(url)
        .orders.createOrder(
          { userId: crypto.randomUUID(), items: [{ sku: "A", quantity: 1 }] },
          { headers: { traceparent: caller.header } },
        )
        .catch(() => undefined);
    });
    const order = spans.find((s) => s.traceId === caller.traceId && s.name === "acme.order.v1.OrderService/CreateOrder");
    expect(order?.attributes).toMatchObject({ "error.type": "FAILED_PRECONDITION", "rpc.response.status_code": "FAILED_PRECONDITION" });
    // The RPC's CLIENT span, not a database statement's.
    const client = spans.find((s) => s.traceId === caller.traceId && s.kind === 3 && s.name === "acme.user.v1.UserService/GetUser");
    expect(client?.attributes["error.type"]).toBe("NOT_FOUND");
    expect(client?.status?.code).toBe(2); // ERROR: a client span fails on any error
  });

  it("should export failed requests even when the sampling ratio is 0", async () => {
    const spans = await withTracedServer({ OTEL_TRACES_SAMPLER_ARG: "0" }, async (url) => {
      const { users, orders } = clients(url);
      await users.listUsers({});
      await orders.createOrder({ userId: crypto.randomUUID(), items: [{ sku: "A", quantity: 1 }] }).catch(() => undefined);
    });
    const names = spans.filter((s) => s.kind === 2).map((s) => s.name);
    expect(names).toContain("acme.order.v1.OrderService/CreateOrder");
    expect(names).not.toContain("acme.user.v1.UserService/ListUsers");
  });
});
