import { type DescMessage, type Message, create } from "@bufbuild/protobuf";
import type { HandlerContext, Interceptor, MethodImplSpec, StreamResponse } from "@connectrpc/connect";
import { singleMessage } from "./unary-call.ts";

type ServerStreamSpec = MethodImplSpec & { kind: "server_streaming" };

/**
 * A server-streaming implementation behind the interceptor chain, as connect's
 * transformInvokeImplementation runs it (@connectrpc/connect/protocol/invoke-implementation:
 * the same request and response objects, the single request message checked inside the
 * chain, output normalized with `create`, response headers and, once the stream has
 * ended, trailers copied to the context), without its generators: connect's build turns
 * async generators into helper-driven ones, several promises per message at each of its
 * two layers. Call `finish()` after the last message to copy the trailers.
 */
export async function invokeServerStream(
  spec: ServerStreamSpec,
  context: HandlerContext,
  input: AsyncIterable<Message>,
  interceptors: readonly Interceptor[] | undefined,
): Promise<{ messages: AsyncIterator<Message>; finish(): void }> {
  const common = { service: spec.method.parent, header: context.responseHeader, trailer: context.responseTrailer };
  let next = async (req: { message: AsyncIterable<Message> } & Parameters<typeof mergeRequest>[1]): Promise<StreamResponse> => ({
    stream: true,
    message: normalizeIterable(
      spec.method.output,
      spec.impl(await singleMessage(req.message, "server-streaming"), mergeRequest(context, req)),
    ),
    method: spec.method,
    ...common,
  });
  // applyInterceptors: the first interceptor is the outermost.
  for (let i = (interceptors?.length ?? 0) - 1; i >= 0; i--) {
    next = interceptors![i]!(next as never) as typeof next;
  }
  const res = await next({
    stream: true,
    message: input,
    method: spec.method,
    requestMethod: context.requestMethod,
    url: context.url,
    signal: context.signal,
    header: context.requestHeader,
    service: spec.method.parent,
    contextValues: context.values,
  } as never);
  copyHeaders(res.header, context.responseHeader);
  return {
    messages: res.message[Symbol.asyncIterator](),
    finish: () => copyHeaders(res.trailer, context.responseTrailer),
  };
}

/** The context a server-streaming implementation gets: connect's mergeRequest. */
function mergeRequest(
  context: HandlerContext,
  req: { service: HandlerContext["service"]; header: Headers; signal: AbortSignal; contextValues: HandlerContext["values"] },
): HandlerContext {
  return { ...context, service: req.service, requestHeader: req.header, signal: req.signal, values: req.contextValues };
}

/** connect's normalizeIterable: each output message completed with `create`, one promise per message. */
function normalizeIterable(desc: DescMessage, input: AsyncIterable<unknown>): AsyncIterable<Message> {
  const transform = (result: IteratorResult<unknown>): IteratorResult<Message> =>
    result.done === true ? result : { done: false, value: create(desc, result.value as never) };
  return {
    [Symbol.asyncIterator]() {
      const it = input[Symbol.asyncIterator]();
      const res: AsyncIterator<Message> = { next: () => it.next().then(transform) };
      if (it.throw !== undefined) res.throw = (e?: unknown) => it.throw!(e).then(transform);
      if (it.return !== undefined) res.return = (v?: unknown) => it.return!(v).then(transform);
      return res;
    },
  };
}

/** connect's copyHeaders, as it is (deleting while iterating included): the oracle's behaviour. */
function copyHeaders(from: Headers, to: Headers): void {
  if (from === to) return;
  to.forEach((_, key) => {
    to.delete(key);
  });
  from.forEach((value, key) => {
    to.set(key, value);
  });
}
