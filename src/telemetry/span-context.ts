import { type ContextValues, type HandlerContext, createContextKey, createContextValues } from "@connectrpc/connect";
import type { SpanContext } from "@opentelemetry/api";

/**
 * The span context of the call, set by the tracing interceptor so that the logging and
 * error interceptors can quote trace and span ids without an active-context lookup, and
 * services can carry it into the calls they make.
 */
export const spanContextKey = createContextKey<SpanContext | undefined>(undefined, {
  description: "span context of the current RPC",
});

/**
 * Context values for an outgoing call made while serving `context`: they carry this
 * call's span, so the client tracing interceptor parents the outgoing span on it even
 * where no async context manager is registered (a Worker without tracing). Fresh values,
 * so nothing else of the incoming call leaks into the outgoing one.
 */
export function outgoingContextValues(context: HandlerContext): ContextValues {
  return createContextValues().set(spanContextKey, context.values.get(spanContextKey));
}
