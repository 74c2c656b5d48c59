import { ConnectError, type Interceptor } from "@connectrpc/connect";
import {
  type Context,
  INVALID_SPAN_CONTEXT,
  ProxyTracer,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type TextMapSetter,
  type Tracer,
  TraceFlags,
  context,
  createContextKey,
  isSpanContextValid,
  trace,
} from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { ATTR_ERROR_TYPE, ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT } from "@opentelemetry/semantic-conventions";
import { ATTR_ENDUSER_ID, ATTR_RPC_RESPONSE_STATUS_CODE } from "@opentelemetry/semantic-conventions/incubating";
import { callerKey } from "../auth/caller.ts";
import { type SettleScheduler, codeName, isServerFault, observe, procedureOf, rpcAttributes } from "./rpc-call.ts";
import { randomHex } from "../telemetry/random-hex.ts";
import { spanContextKey } from "../telemetry/span-context.ts";

// W3C trace context, independent of what (if anything) registered a global propagator:
// with tracing off, callers' trace ids must still reach logs and downstream calls.
const propagator = new W3CTraceContextPropagator();

const headerGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};
const headerSetter: TextMapSetter<Headers> = {
  set: (headers, key, value) => headers.set(key, value),
};

/** Sets the outcome attributes and ends (or, for a borrowed span, only annotates) it. */
function settle(span: Span, failure: unknown, kind: SpanKind, end: boolean): void {
  const error = failure === undefined ? undefined : ConnectError.from(failure);
  span.setAttribute(ATTR_RPC_RESPONSE_STATUS_CODE, codeName(error?.code));
  if (error) {
    span.setAttribute(ATTR_ERROR_TYPE, codeName(error.code));
    // A server span fails only for server faults; a client span for any error.
    if (kind === SpanKind.CLIENT || isServerFault(error.code)) {
      const cause = error.cause instanceof Error ? error.cause : error;
      span.recordException(cause);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.rawMessage });
    }
  }
  if (end) span.end();
}

/**
 * With tracing off (no SDK, as on a Worker without an endpoint) the API hands back the
 * caller's span, or no ids at all. Logs and downstream calls still need ids of this
 * call's own: a non-recording span with a fresh span id, in the caller's trace or a new one.
 */
function withOwnIds(span: Span, parent: ReturnType<typeof context.active>): Span {
  const caller = trace.getSpanContext(parent);
  const own = span.spanContext();
  // Cheap tests first: without an SDK, `own` is the API's invalid context or the caller's.
  if (span.isRecording() || (own !== INVALID_SPAN_CONTEXT && own.spanId !== caller?.spanId && isSpanContextValid(own))) {
    return span;
  }
  return trace.wrapSpanContext(idsAfter(caller));
}

/** Ids of a call's own: a fresh span id, in the caller's trace (when valid) or a new one. */
function idsAfter(caller: SpanContext | undefined): SpanContext {
  return {
    traceId: caller && isSpanContextValid(caller) ? caller.traceId : randomHex(16),
    spanId: randomHex(8),
    traceFlags: caller?.traceFlags ?? TraceFlags.NONE,
  };
}

// A context no code but contextManagerActive makes: active() returns it inside with() only
// when a context manager is registered (the API's default one ignores the context given).
const probeKey = createContextKey("connect-service-template context manager probe");
const probe = ROOT_CONTEXT.setValue(probeKey, true);
const probeIsActive = () => context.active() === probe;

/** Whether a context manager is registered, so context.with makes its context the active one. */
function contextManagerActive(): boolean {
  return context.with(probe, probeIsActive);
}

// ProxyTracer's _getTracer() (not in its typings) answers the tracer it delegates to: the
// API's no-op one while no SDK is behind it. Should a later @opentelemetry/api drop it,
// noopTracer is undefined and every call takes the full path (tracing-off.test.ts fails).
type TracerProxy = { _getTracer?: () => Tracer };
const noopTracer = (new ProxyTracer({ getDelegateTracer: () => undefined }, "probe") as unknown as TracerProxy)._getTracer?.();

/** Whether `tracer` makes only the API's non-recording spans: no SDK (yet) behind the global one. */
function tracesNothing(tracer: Tracer): boolean {
  if (noopTracer === undefined) return false;
  return tracer === noopTracer || (tracer instanceof ProxyTracer && (tracer as unknown as TracerProxy)._getTracer?.() === noopTracer);
}

/** The ids withOwnIds gives a call when no SDK made its span, after the caller's W3C traceparent. */
function ownIds(header: Headers): SpanContext {
  return idsAfter(trace.getSpanContext(propagator.extract(ROOT_CONTEXT, header, headerGetter)));
}

export interface ServerTracingOptions {
  tracer: Tracer;
  /**
   * Turn the span already active for this request into the RPC span instead of
   * opening a child. On Workers, otel-cf-workers opens a SERVER span per fetch, and a
   * second SERVER span for the same request would only duplicate it.
   */
  reuseActiveSpan?: boolean;
  /** When spans are ended once their call is over: see SettleScheduler. */
  schedule?: SettleScheduler;
}

/**
 * A SERVER span per RPC, named `acme.user.v1.UserService/GetUser`, following the RPC
 * semantic conventions; the caller's W3C traceparent/tracestate make it a child of the
 * caller's span. Runs the rest of the call with the span active, so outgoing calls
 * (createClientTracingInterceptor) become its children.
 */
export function createServerTracingInterceptor({ tracer, reuseActiveSpan = false, schedule }: ServerTracingOptions): Interceptor {
  return (next) => (req) => {
    const borrowed = reuseActiveSpan ? trace.getActiveSpan() : undefined;
    // No SDK and no context manager (main.ts without an OTLP endpoint): a span would record
    // nothing and no code could read its context, so the call only gets ids (for its log
    // line, errors and downstream calls) and is not observed: the same ids and log lines,
    // without two span objects, a context probe and a callback per call.
    if (!borrowed?.isRecording() && tracesNothing(tracer) && !contextManagerActive()) {
      req.contextValues.set(spanContextKey, ownIds(req.header));
      return next(req);
    }
    const procedure = procedureOf(req);
    let span: Span;
    // The context the rest of the call runs in; undefined: nothing could read one (see below).
    let spanContext: Context | undefined = context.active();
    if (borrowed?.isRecording()) {
      span = borrowed;
      span.updateName(procedure);
      span.setAttributes(rpcAttributes(req));
    } else {
      const parent = propagator.extract(context.active(), req.header, headerGetter);
      const started = tracer.startSpan(procedure, { kind: SpanKind.SERVER, attributes: rpcAttributes(req) }, parent);
      span = withOwnIds(started, parent);
      // Ids of our own mean no SDK made this span. Without a context manager either (the
      // API's default, as main.ts runs without an OTLP endpoint), context.with calls the
      // function as it is and context.active() inside is the root: no code can read the
      // span's context, so it is not built (a copy of the parent's per call).
      spanContext = span === started || contextManagerActive() ? trace.setSpan(parent, span) : undefined;
    }
    req.contextValues.set(spanContextKey, span.spanContext());
    // The request gate authenticated the caller before the chain runs: its subject, never the token.
    const caller = req.contextValues.get(callerKey);
    if (caller) span.setAttribute(ATTR_ENDUSER_ID, caller.subject);
    const run = () => observe(next, req, (failure) => settle(span, failure, SpanKind.SERVER, span !== borrowed), schedule);
    return spanContext ? context.with(spanContext, run) : run();
  };
}

/**
 * A CLIENT span per outgoing RPC, with W3C traceparent and tracestate injected into the
 * request headers. Its parent is the span of the server call it is made for, when the
 * call passes that call's `contextValues` on (see OrderService), else the active span.
 */
export function createClientTracingInterceptor({ tracer }: { tracer: Tracer }): Interceptor {
  return (next) => (req) => {
    const url = new URL(req.url);
    const forwarded = req.contextValues.get(spanContextKey);
    const parent = forwarded ? trace.setSpanContext(context.active(), forwarded) : context.active();
    const started = tracer.startSpan(
      procedureOf(req),
      {
        kind: SpanKind.CLIENT,
        attributes: {
          ...rpcAttributes(req),
          [ATTR_SERVER_ADDRESS]: url.hostname,
          ...(url.port ? { [ATTR_SERVER_PORT]: Number(url.port) } : {}),
        },
      },
      parent,
    );
    const span = withOwnIds(started, parent);
    propagator.inject(trace.setSpan(parent, span), req.header, headerSetter);
    return observe(next, req, (failure) => settle(span, failure, SpanKind.CLIENT, true));
  };
}
