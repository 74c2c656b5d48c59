import { createClient, createContextValues } from "@connectrpc/connect";
import { type SpanContext, context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { describe, expect, it, vi } from "vitest";
import { OrderService } from "../../src/gen/acme/order/v1/order_pb.ts";
import { UserService } from "../../src/gen/acme/user/v1/user_pb.ts";
import { createServerTracingInterceptor } from "../../src/interceptors/tracing.ts";
import { spanContextKey } from "../../src/telemetry/span-context.ts";
import { newTraceparent } from "../shared/trace-assertions.ts";
import { uniqueEmail } from "../shared/user-service-contract.ts";
import { getUserRequest, getUserResponse } from "./get-user-call.ts";
import { createInMemoryApp } from "./in-memory-app.ts";

// No OpenTelemetry SDK is registered in this file: the API is a no-op, as on a Worker
// without an endpoint. Log lines must still carry ids of their own call.
describe("trace ids with tracing off", () => {
  it("should log the caller's trace id with a span id of this call", async () => {
    const app = await createInMemoryApp();
    const caller = newTraceparent();
    await createClient(UserService, app.transport).listUsers({}, { headers: { traceparent: caller.header } });
    expect(app.logs[0]?.trace_id).toBe(caller.traceId);
    expect(app.logs[0]?.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(app.logs[0]?.span_id).not.toBe(caller.spanId);
  });

  it("should start a trace when the caller sent none, and pass it downstream", async () => {
    const app = await createInMemoryApp();
    const { user } = await createClient(UserService, app.transport).createUser({ email: uniqueEmail(), displayName: "T" });
    expect(app.logs[0]?.trace_id).toMatch(/^[0-9a-f]{32}$/);
    app.logs.length = 0;
    await createClient(OrderService, app.transport).createOrder({ userId: user?.id ?? "", items: [{ sku: "A", quantity: 1 }] });
    const [getUser, createOrder] = app.logs; // the inner call finishes first
    expect(createOrder?.procedure).toBe("acme.order.v1.OrderService/CreateOrder");
    expect(getUser?.procedure).toBe("acme.user.v1.UserService/GetUser");
    expect(getUser?.trace_id).toBe(createOrder?.trace_id);
    expect(getUser?.span_id).not.toBe(createOrder?.span_id);
  });

  it("should give every call ids of its own, across refills of the random bytes", async () => {
    const app = await createInMemoryApp();
    const client = createClient(UserService, app.transport);
    // 24 random bytes per call, drawn from blocks of 4,096: 300 calls use two blocks.
    for (let i = 0; i < 300; i++) await client.listUsers({});
    expect(app.logs).toHaveLength(300);
    const traceIds = app.logs.map((line) => line.trace_id ?? "");
    const spanIds = app.logs.map((line) => line.span_id ?? "");
    for (const id of traceIds) expect(id).toMatch(/^(?!0+$)[0-9a-f]{32}$/);
    for (const id of spanIds) expect(id).toMatch(/^(?!0+$)[0-9a-f]{16}$/);
    expect(new Set(traceIds).size).toBe(300);
    expect(new Set(spanIds).size).toBe(300);
  });

  it("should run the call in a context holding its ids when a context manager is registered, though no SDK is", async () => {
    // Without a context manager the interceptor skips building that context (nothing could
    // read it); with one, code in the call must find the call's span as the active one.
    const withoutManager = await idsInCall();
    expect(withoutManager.active).toBeUndefined();
    expect(withoutManager.own?.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())).toBe(true);
    try {
      const { own, active } = await idsInCall();
      expect(own?.spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(active).toEqual(own);
    } finally {
      context.disable();
    }
  });

  it("should give a call its ids without starting a span while no SDK is registered", async () => {
    // The ids-only path rests on telling the API's no-op tracer apart (tracing.ts,
    // tracesNothing): if an @opentelemetry/api update broke that, spans would be started again.
    const tracer = trace.getTracer("test");
    const startSpan = vi.spyOn(tracer, "startSpan");
    const { own } = await idsInCall(tracer);
    expect(own?.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(startSpan).not.toHaveBeenCalled();
  });

  it("should record spans once an SDK is registered behind a tracer made before it", async () => {
    // The tracer main.ts hands the app is the API's proxy: whether an SDK is behind it is
    // asked on every call, so the ids-only path ends when one is registered.
    const tracer = trace.getTracer("test");
    const before = await idsInCall(tracer);
    expect(before.own?.spanId).toMatch(/^[0-9a-f]{16}$/);
    const exporter = new InMemorySpanExporter();
    expect(trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }))).toBe(true);
    try {
      const { own } = await idsInCall(tracer);
      const spans = exporter.getFinishedSpans();
      expect(spans.map((span) => span.name)).toEqual(["acme.user.v1.UserService/GetUser"]);
      expect(own).toEqual(spans[0]?.spanContext());
    } finally {
      trace.disable();
    }
  });
});

/** One call through the server tracing interceptor alone: the ids it gave the call, and the span context active inside it. */
async function idsInCall(tracer = trace.getTracer("test")): Promise<{ own?: SpanContext; active?: SpanContext }> {
  let active: SpanContext | undefined;
  const contextValues = createContextValues();
  const call = createServerTracingInterceptor({ tracer })(async () => {
    active = trace.getSpanContext(context.active());
    return getUserResponse();
  });
  await call(getUserRequest("application/grpc", contextValues));
  return { own: contextValues.get(spanContextKey), active };
}
