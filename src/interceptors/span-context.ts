import { spanContextKey } from "../telemetry/span-context.ts";
import type { RpcRequest } from "./rpc-call.ts";

/** W3C trace and span ids of a call; undefined ids when tracing produced none. */
export function traceIdsOf(req: RpcRequest): { traceId?: string; spanId?: string } {
  const span = req.contextValues.get(spanContextKey);
  if (!span || /^0+$/.test(span.traceId)) return {};
  return { traceId: span.traceId, spanId: span.spanId };
}
