import type { Interceptor } from "@connectrpc/connect";
import { type RpcRequest, procedureOf } from "./rpc-call.ts";

/** Decides whether an interceptor applies to a call. */
export type Matcher = (req: RpcRequest) => boolean;

/**
 * Applies `interceptor` only to calls `match` accepts, like Kratos' selector. Use it in
 * the router-level chain: connect-es' per-service `interceptors` option replaces the
 * router's chain instead of extending it.
 */
export function selectInterceptor(interceptor: Interceptor, match: Matcher): Interceptor {
  return (next) => {
    const intercepted = interceptor(next);
    return (req) => (match(req) ? intercepted(req) : next(req));
  };
}

/** Calls of the given services, by fully-qualified name (`acme.user.v1.UserService`). */
export function forServices(...typeNames: string[]): Matcher {
  return (req) => typeNames.includes(req.service.typeName);
}

/** Calls of the given procedures (`acme.user.v1.UserService/GetUser`). */
export function forProcedures(...procedures: string[]): Matcher {
  return (req) => procedures.includes(procedureOf(req));
}

/** Every call the given matcher rejects. */
export function not(match: Matcher): Matcher {
  return (req) => !match(req);
}
