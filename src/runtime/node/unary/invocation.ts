import { Code, ConnectError, type HandlerContext, type Interceptor, type MethodImplSpec, createContextKey } from "@connectrpc/connect";

/**
 * What connect's invoke-implementation (@connectrpc/connect/protocol) builds around an
 * implementation call, as object literals rather than its Object.assign copies: the
 * chain itself, the request it gets, the handler context the implementation gets, and
 * the header copy after the chain. Used by invoke-unary.ts and invoke-server-stream.ts.
 */

/**
 * connect's applyInterceptors, without its copy and reverse of the array: the first
 * interceptor is the outermost.
 */
function applyInterceptors<F>(next: F, interceptors: readonly Interceptor[] | undefined): F {
  let chained = next;
  for (let i = (interceptors?.length ?? 0) - 1; i >= 0; i--) {
    chained = interceptors![i]!(chained as never) as F;
  }
  return chained;
}

/**
 * The handler context of the call a request belongs to, in the request's contextValues:
 * how the end of a chain built once per method (methodChain) finds its call's context.
 */
const handlerContextKey = createContextKey<HandlerContext | undefined>(undefined, { description: "handler context of the call" });

/** Puts `context` where methodChain's end finds it; call before running the chain. */
export function enterChain(context: HandlerContext): void {
  context.values.set(handlerContextKey, context);
}

/** The handler context enterChain stored for the call `contextValues` belongs to. */
export function contextOfChain(contextValues: HandlerContext["values"]): HandlerContext {
  const context = contextValues.get(handlerContextKey);
  // Only an interceptor that handed the rest of the chain other contextValues gets here.
  if (!context) throw new ConnectError("an interceptor replaced the request's contextValues", Code.Internal);
  return context;
}

const chains = new WeakMap<MethodImplSpec, { interceptors: readonly Interceptor[] | undefined; chain: unknown }>();

/**
 * A method's interceptor chain, built on its first call and kept: `end` (what the chain
 * ends in, finding its call's context with contextOfChain) is wrapped by every
 * interceptor's outer function once per method instead of on every call, as connect does.
 * That was most of what a chain of no-op interceptors cost: seven of them, 2.2% of a
 * Connect JSON call's CPU built per call, 0.1% built once (docs/performance.md,
 * eighteenth session). So on this path an interceptor's outer function `(next) => ...` runs
 * once per method; per-call state belongs in the function it returns
 * (docs/architecture.md, "The interceptor chain").
 */
export function methodChain<F>(spec: MethodImplSpec, interceptors: readonly Interceptor[] | undefined, end: () => F): F {
  let built = chains.get(spec);
  if (!built || built.interceptors !== interceptors) {
    built = { interceptors, chain: applyInterceptors(end(), interceptors) };
    chains.set(spec, built);
  }
  return built.chain as F;
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
