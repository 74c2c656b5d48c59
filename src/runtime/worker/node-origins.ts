import type { DescService } from "@bufbuild/protobuf";
import { type ConnectRouter, type HandlerContext, type Interceptor, createClient } from "@connectrpc/connect";
import { gatewayClientAddressHeader, gatewaySecretHeader } from "../../protocol/gateway-headers.ts";
import { fetchTransport } from "./user-service-transport.ts";

/**
 * The Worker as the edge gateway of a Node fleet (docs/gateway.md): NODE_ORIGINS maps a
 * service's type name to the Node origin serving it. Its methods are registered here as
 * handlers calling that origin, so the edge's gate (auth, rate limits), CORS and server
 * interceptors (tracing, logging) run once, as for local services; the client tracing
 * interceptors send the edge span's traceparent, so Node's span joins the same trace.
 * Unary and server-streaming methods only (connect-web cannot stream requests).
 */
export function forwardingRouter(
  router: ConnectRouter,
  origins: string | undefined,
  interceptors: Interceptor[],
  secret: string | undefined,
): ConnectRouter {
  const byService: Record<string, string> = origins ? JSON.parse(origins) : {};
  const wrapped: ConnectRouter = {
    ...router,
    service(service, impl, options) {
      const origin = byService[service.typeName];
      router.service(service, origin ? (forwarded(service, origin, interceptors, secret) as typeof impl) : impl, options);
      return wrapped;
    },
  };
  return wrapped;
}

function forwarded(service: DescService, origin: string, interceptors: Interceptor[], secret: string | undefined) {
  const client = createClient(service, fetchTransport(origin, interceptors)) as unknown as Record<string, (...args: unknown[]) => unknown>;
  // The caller's Authorization goes along: Node verifies it again under its own policy.
  // With GATEWAY_SECRET, Node skips its rate limit (counted here) and keys on the caller's address.
  const call = (name: string) => (request: unknown, context: HandlerContext) => {
    const header = context.requestHeader;
    const headers = new Headers();
    if (header.has("authorization")) headers.set("authorization", header.get("authorization")!);
    if (secret) {
      headers.set(gatewaySecretHeader, secret);
      headers.set(gatewayClientAddressHeader, header.get("cf-connecting-ip") ?? "");
    }
    return client[name]?.(request, { signal: context.signal, headers });
  };
  return Object.fromEntries(service.methods.map((method) => [method.localName, call(method.localName)]));
}
