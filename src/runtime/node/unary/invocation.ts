import type { HandlerContext, Interceptor, MethodImplSpec } from "@connectrpc/connect";

/**
 * What connect's invoke-implementation (@connectrpc/connect/protocol) builds around an
 * implementation call, as object literals rather than its Object.assign copies: the
 * chain itself, the request it gets, the handler context the implementation gets, and
 * the header copy after the chain. Used by invoke-unary.ts and invoke-server-stream.ts.
 */

/**
 * connect's applyInterceptors, without its copy and reverse of the array: the first
 * interceptor is the outermost. Applied on every call, as connect does (an interceptor's
 * outer function runs per call there).
 */
export function applyInterceptors<F>(next: F, interceptors: readonly Interceptor[] | undefined): F {
  let chained = next;
  for (let i = (interceptors?.length ?? 0) - 1; i >= 0; i--) {
    chained = interceptors![i]!(chained as never) as F;
  }
  return chained;
}

/** The request an interceptor chain starts from: connect's `{ stream, message, method, ...requestCommon }`, in its key order. */
export function requestFor<S extends boolean, M>(spec: MethodImplSpec, context: HandlerContext, stream: S, message: M) {
  return {
    stream,
    message,
    method: spec.method,
    requestMethod: context.requestMethod,
    url: context.url,
    signal: context.signal,
    header: context.requestHeader,
    service: spec.method.parent,
    contextValues: context.values,
  };
}

/** The parts of a request the implementation's context takes from it. */
export interface RequestParts {
  service: HandlerContext["service"];
  header: Headers;
  signal: AbortSignal;
  contextValues: HandlerContext["values"];
}

/** The context an implementation gets: connect's mergeRequest. */
export function mergeRequest(context: HandlerContext, req: RequestParts): HandlerContext {
  return { ...context, service: req.service, requestHeader: req.header, signal: req.signal, values: req.contextValues };
}

/** connect's copyHeaders, as it is (deleting while iterating included): the oracle's behaviour. */
export function copyHeaders(from: Headers, to: Headers): void {
  if (from === to) return;
  to.forEach((_, key) => {
    to.delete(key);
  });
  from.forEach((value, key) => {
    to.set(key, value);
  });
}
