import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { OrderService } from "../../src/gen/acme/order/v1/order_pb.ts";
import { UserService } from "../../src/gen/acme/user/v1/user_pb.ts";
import { type ReceivedSpan, expectCreateOrderTrace, newTraceparent } from "../shared/trace-assertions.ts";
import { uniqueEmail } from "../shared/user-service-contract.ts";
import { loadTracedFetch, traceExportModule } from "../../src/runtime/worker/tracing.ts";
import type { WorkerEnv } from "../../src/runtime/worker/worker-env.ts";
import { testAuth, workerFetch, workerOrigin } from "./worker-fetch.ts";

const transport = createConnectTransport({ baseUrl: workerOrigin, fetch: workerFetch as typeof fetch });
const users = createClient(UserService, transport);
const orders = createClient(OrderService, transport);
afterEach(() => vi.restoreAllMocks());

/** Spans of one trace, once `done` accepts them (export runs after the response, in waitUntil). */
async function spansOf(traceId: string, done: (spans: ReceivedSpan[]) => boolean): Promise<ReceivedSpan[]> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const all = (await (await fetch(`${env.OTLP_RECEIVER_URL}/spans`)).json()) as ReceivedSpan[];
    const spans = all.filter((span) => span.traceId === traceId);
    if (done(spans)) return spans;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`spans of trace ${traceId} did not arrive`);
}

describe("OpenTelemetry on the Worker (otel-cf-workers)", () => {
  it("should export one trace across OrderService and the UserService call it makes", async () => {
    const { user } = await users.createUser({ email: uniqueEmail("traced"), displayName: "Traced" });
    const caller = newTraceparent();
    await orders.createOrder(
      { userId: user?.id ?? "", items: [{ sku: "BOOK-1", quantity: 1 }] },
      { headers: { traceparent: caller.header } },
    );
    const spans = await spansOf(caller.traceId, (s) => s.length >= 3);
    const { order, user: userSpan } = expectCreateOrderTrace(spans, caller);
    expect(order.service).toBe("worker-under-test");
    // The RPC span is otel-cf-workers' fetch span, not a second SERVER span under it.
    expect(spans.filter((s) => s.kind === 2)).toHaveLength(2);
    expect(userSpan.parentSpanId).not.toBe(order.spanId);
  });

  it("should export a failed request when the sampling ratio is 0", async () => {
    const worker = (await import("../../src/runtime/worker/index.ts")).default;
    const caller = { ...newTraceparent() };
    const unsampled = `00-${caller.traceId}-${caller.spanId}-00`;
    const ctx = { waitUntil: (p: Promise<unknown>) => void p.catch(() => undefined), passThroughOnException() {} };
    const request = new Request(`${workerOrigin}/acme.order.v1.OrderService/CreateOrder`, {
      method: "POST",
      headers: { "content-type": "application/json", traceparent: unsampled, authorization: testAuth.bearer },
      body: JSON.stringify({ userId: crypto.randomUUID(), items: [{ sku: "A", quantity: 1 }] }),
    });
    const incoming = request as Parameters<typeof worker.fetch>[0];
    const response = await worker.fetch(incoming, { ...env, OTEL_TRACES_SAMPLER_ARG: "0" }, ctx as unknown as ExecutionContext);
    expect(response.status).toBe(400);
    const spans = await spansOf(caller.traceId, (s) => s.some((span) => span.kind === 2));
    expect(spans.find((s) => s.kind === 2)?.attributes["error.type"]).toBe("FAILED_PRECONDITION");
  });
});

describe("the Worker's tracing module (src/gen/trace-export-worker.js)", () => {
  const untraced: ExportedHandlerFetchHandler<WorkerEnv> = async () => new Response("untraced");

  it("should wrap fetch once loaded", async () => {
    const traced = await loadTracedFetch(untraced, traceExportModule);
    expect(traced).not.toBe(untraced);
  });

  it("should serve untraced, and say why, when the module cannot be loaded", async () => {
    const errors = vi.spyOn(console, "error");
    const served = await loadTracedFetch(untraced, "missing-worker.js");
    expect(served).toBe(untraced);
    const line = JSON.parse(String(errors.mock.calls.at(-1)?.[0]));
    expect(line).toMatchObject({ level: "error" });
    expect(line.msg).toMatch(/^tracing disabled: its module missing-worker\.js did not load: /);
  });
});
