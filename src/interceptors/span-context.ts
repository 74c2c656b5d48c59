import { createContextKey } from "@connectrpc/connect";
import type { SpanContext } from "@opentelemetry/api";
import type { RpcRequest } from "./rpc-call.ts";

/**
 * The span context of the call, set by the tracing interceptor so that the logging and
 * error interceptors can quote trace and span ids without an active-context lookup.
 */
export const spanContextKey = createContextKey<SpanContext | undefined>(undefined, {
  description: "span context of the current RPC",
});

/** W3C trace and span ids of a call; undefined ids when tracing produced none. */
export function traceIdsOf(req: RpcRequest): { traceId?: string; spanId?: string } {
  const span = req.contextValues.get(spanContextKey);
  if (!span || /^0+$/.test(span.traceId)) return {};
  return { traceId: span.traceId, spanId: span.spanId };
}
