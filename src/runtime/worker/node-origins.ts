import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, type ConnectRouter, type HandlerContext, type Interceptor, createClient } from "@connectrpc/connect";
import { mergeNonProtocolHeaders } from "@connectrpc/connect/protocol";
import { configKey } from "../../config/config-context.ts";
import { gatewayClientAddressHeader, gatewaySecretHeader } from "../../protocol/gateway-headers.ts";
import { fetchTransport } from "./user-service-transport.ts";

/** A method's implementation, as the router calls it. */
type Handler = (request: unknown, context: HandlerContext) => unknown;

/**
 * The Worker as the edge gateway of a Node fleet (docs/gateway.md): a service named in the
 * NODE_ORIGINS var (JSON, a service's type name to the Node origin serving it) or in the
 * runtime config's `gateway.nodeOrigins` is served by calling that origin; the var wins
 * for a service both name. Every method is registered with a handler that looks the
 * origin up per call, in the call's config snapshot, so a config change moves a service
 * without a deploy. The edge's gate (auth, rate limits), CORS and server interceptors
 * (tracing, logging) run once, as for local services; the client tracing interceptors
 * send the edge span's traceparent, so Node's span joins the same trace.
 * Unary and server-streaming methods only (connect-web cannot stream requests).
 */
export function forwardingRouter(
  router: ConnectRouter,
  origins: string | undefined,
  interceptors: Interceptor[],
  secret: string | undefined,
): ConnectRouter {
  const fixed: Record<string, string | undefined> = origins ? JSON.parse(origins) : {};
  const wrapped: ConnectRouter = {
    ...router,
    service(service, impl, options) {
      const local = impl as Record<string, Handler>;
      const remotes = new Map<string, Record<string, Handler>>();
      const handlers = service.methods.map(({ localName, name }) => {
        const handler: Handler = (request, context) => {
          const origin = fixed[service.typeName] ?? context.values.get(configKey).gateway?.nodeOrigins[service.typeName];
          if (!origin) {
            const own = local[localName];
            // As connect answers a method missing from a partial implementation.
            if (!own) throw new ConnectError(`${service.typeName}.${name} is not implemented`, Code.Unimplemented);
            return own(request, context);
          }
          let remote = remotes.get(origin);
          if (!remote) {
            remote = forwarded(service, origin, interceptors, secret);
            remotes.set(origin, remote);
          }
          return remote[localName]!(request, context);
        };
        return [localName, handler];
      });
      router.service(service, Object.fromEntries(handlers), options);
      return wrapped;
    },
  };
  return wrapped;
}

function forwarded(service: DescService, origin: string, interceptors: Interceptor[], secret: string | undefined) {
  const client = createClient(service, fetchTransport(origin, interceptors)) as unknown as Record<string, (...args: unknown[]) => unknown>;
  // The caller's Authorization goes along: Node verifies it again under its own policy.
  // With GATEWAY_SECRET, Node skips its rate limit (counted here) and keys on the caller's address.
  const call = (method: DescMethod) => (request: unknown, context: HandlerContext) => {
    const header = context.requestHeader;
    const headers = new Headers();
    if (header.has("authorization")) headers.set("authorization", header.get("authorization")!);
    if (secret) {
      headers.set(gatewaySecretHeader, secret);
      headers.set(gatewayClientAddressHeader, header.get("cf-connecting-ip") ?? "");
    }
    // Node's response headers and trailers go back to the caller, in its protocol's form.
    const result = client[method.localName]!(request, {
      signal: context.signal,
      headers,
      onHeader: (from: Headers) => relay(from, context.responseHeader),
      onTrailer: (from: Headers) => relay(from, context.responseTrailer),
    });
    return method.methodKind === "unary"
      ? (result as Promise<unknown>).catch(relayError)
      : relayStreamErrors(result as AsyncIterable<unknown>);
  };
  return Object.fromEntries(service.methods.map((method) => [method.localName, call(method)])) as Record<string, Handler>;
}

// Describe the connection to Node, not its answer (RFC 9110, 7.6.1); connect drops the
// protocol's own headers (content-type, grpc-status, ...) itself.
const hopByHop = new Set(["connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"]);

function relay(from: Headers, to: Headers): void {
  const kept = new Headers(from);
  for (const name of hopByHop) kept.delete(name);
  mergeNonProtocolHeaders(to, kept);
}

// connect answers an error read off the wire with its code, message and details only; an
// error of Node's keeps its headers and trailers (retry-after, ...) as the caller's metadata.
function relayError(reason: unknown): never {
  const error = ConnectError.from(reason);
  for (const name of hopByHop) error.metadata.delete(name);
  error.isWireError = false;
  throw error;
}

async function* relayStreamErrors(messages: AsyncIterable<unknown>) {
  try {
    yield* messages;
  } catch (reason) {
    relayError(reason);
  }
}
