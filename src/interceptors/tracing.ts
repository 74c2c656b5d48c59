import { ConnectError, type Interceptor } from "@connectrpc/connect";
import {
  type Attributes,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type TextMapSetter,
  type Tracer,
  context,
  propagation,
  trace,
} from "@opentelemetry/api";
import { ATTR_ERROR_TYPE, ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT } from "@opentelemetry/semantic-conventions";
import {
  ATTR_RPC_METHOD,
  ATTR_RPC_RESPONSE_STATUS_CODE,
  ATTR_RPC_SYSTEM_NAME,
  RPC_SYSTEM_NAME_VALUE_CONNECTRPC,
  RPC_SYSTEM_NAME_VALUE_GRPC,
} from "@opentelemetry/semantic-conventions/incubating";
import { type RpcRequest, codeName, isServerFault, observe, procedureOf, protocolOf } from "./rpc-call.ts";
import { spanContextKey } from "./span-context.ts";

const headerGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};
const headerSetter: TextMapSetter<Headers> = {
  set: (headers, key, value) => headers.set(key, value),
};

function rpcAttributes(req: RpcRequest): Attributes {
  return {
    [ATTR_RPC_SYSTEM_NAME]:
      protocolOf(req.header) === "connect" ? RPC_SYSTEM_NAME_VALUE_CONNECTRPC : RPC_SYSTEM_NAME_VALUE_GRPC,
    [ATTR_RPC_METHOD]: procedureOf(req),
  };
}

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

export interface ServerTracingOptions {
  tracer: Tracer;
  /**
   * Turn the span already active for this request into the RPC span instead of
   * opening a child. On Workers, otel-cf-workers opens a SERVER span per fetch, and a
   * second SERVER span for the same request would only duplicate it.
   */
  reuseActiveSpan?: boolean;
}

/**
 * A SERVER span per RPC, named `acme.user.v1.UserService/GetUser`, following the RPC
 * semantic conventions; the caller's W3C traceparent/tracestate make it a child of the
 * caller's span. Runs the rest of the call with the span active, so outgoing calls
 * (createClientTracingInterceptor) become its children.
 */
export function createServerTracingInterceptor({ tracer, reuseActiveSpan = false }: ServerTracingOptions): Interceptor {
  return (next) => (req) => {
    const procedure = procedureOf(req);
    const borrowed = reuseActiveSpan ? trace.getActiveSpan() : undefined;
    let span: Span;
    let spanContext = context.active();
    if (borrowed?.isRecording()) {
      span = borrowed;
      span.updateName(procedure);
      span.setAttributes(rpcAttributes(req));
    } else {
      const parent = propagation.extract(context.active(), req.header, headerGetter);
      span = tracer.startSpan(procedure, { kind: SpanKind.SERVER, attributes: rpcAttributes(req) }, parent);
      spanContext = trace.setSpan(parent, span);
    }
    req.contextValues.set(spanContextKey, span.spanContext());
    return context.with(spanContext, () =>
      observe(next, req, (failure) => settle(span, failure, SpanKind.SERVER, span !== borrowed)),
    );
  };
}

/**
 * A CLIENT span per outgoing RPC, child of the active span, with W3C traceparent and
 * tracestate injected into the request headers.
 */
export function createClientTracingInterceptor({ tracer }: { tracer: Tracer }): Interceptor {
  return (next) => (req) => {
    const url = new URL(req.url);
    const span = tracer.startSpan(procedureOf(req), {
      kind: SpanKind.CLIENT,
      attributes: {
        ...rpcAttributes(req),
        [ATTR_SERVER_ADDRESS]: url.hostname,
        ...(url.port ? { [ATTR_SERVER_PORT]: Number(url.port) } : {}),
      },
    });
    propagation.inject(trace.setSpan(context.active(), span), req.header, headerSetter);
    return observe(next, req, (failure) => settle(span, failure, SpanKind.CLIENT, true));
  };
}
