import { INVALID_TRACEID } from "@opentelemetry/api";
import { spanContextKey } from "../telemetry/span-context.ts";
import type { RpcRequest } from "./rpc-call.ts";

/** W3C trace and span ids of a call (its span context, not a copy); undefined when tracing produced none. */
export function traceIdsOf(req: RpcRequest): { traceId: string; spanId: string } | undefined {
  const span = req.contextValues.get(spanContextKey);
  return span && span.traceId !== INVALID_TRACEID ? span : undefined;
}
