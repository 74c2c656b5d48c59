import { type DescMessage, type Message, create } from "@bufbuild/protobuf";
import type { HandlerContext, Interceptor, MethodImplSpec, StreamResponse } from "@connectrpc/connect";
import { type RequestParts, contextOfChain, copyHeaders, enterChain, mergeRequest, methodChain, requestFor } from "./invocation.ts";
import { singleMessage } from "./unary-call.ts";

type ServerStreamSpec = MethodImplSpec & { kind: "server_streaming" };

/**
 * A server-streaming implementation behind the interceptor chain, as connect's
 * transformInvokeImplementation runs it (@connectrpc/connect/protocol/invoke-implementation:
 * the same request and response objects, the single request message checked inside the
 * chain, output normalized with `create`, response headers and, once the stream has
 * ended, trailers copied to the context), without its generators: connect's build turns
 * async generators into helper-driven ones, several promises per message at each of its
 * two layers. The chain is built once per method (methodChain). Call `finish()` after the
 * last message to copy the trailers.
 */
export async function invokeServerStream(
  spec: ServerStreamSpec,
  context: HandlerContext,
  input: AsyncIterable<Message>,
  interceptors: readonly Interceptor[] | undefined,
): Promise<{ messages: AsyncIterator<Message>; finish(): void }> {
  enterChain(context);
  const next = methodChain(spec, interceptors, () => {
    const { method } = spec;
    return async (req: { message: AsyncIterable<Message> } & RequestParts): Promise<StreamResponse> => {
      const call = contextOfChain(req.contextValues);
      return {
        stream: true,
        message: normalizeIterable(method.output, spec.impl(await singleMessage(req.message, "server-streaming"), mergeRequest(call, req))),
        method,
        service: method.parent,
        header: call.responseHeader,
        trailer: call.responseTrailer,
      };
    };
  });
  const res = await next(requestFor(spec, context, true, input));
  copyHeaders(res.header, context.responseHeader);
  return {
    messages: res.message[Symbol.asyncIterator](),
    finish: () => copyHeaders(res.trailer, context.responseTrailer),
  };
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
