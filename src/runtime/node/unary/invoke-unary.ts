import { type Message, create } from "@bufbuild/protobuf";
import type { HandlerContext, Interceptor, MethodImplSpec, UnaryRequest, UnaryResponse } from "@connectrpc/connect";
import { contextOfChain, copyHeaders, enterChain, mergeRequest, methodChain, requestFor } from "./invocation.ts";

type UnarySpec = MethodImplSpec & { kind: "unary" };

/**
 * A unary implementation behind the interceptor chain, as connect's
 * invokeUnaryImplementation runs it (@connectrpc/connect/protocol/invoke-implementation):
 * the same request, response and handler-context objects, the output completed with
 * `create`, response headers and trailers copied to the context afterwards. Its objects
 * are literals instead of Object.assign copies of literals: 0.15 µs and 350 bytes less
 * per call in process. The chain is built once per method (methodChain), not per call.
 * test/node/invoke-unary.test.ts holds it to connect's.
 */
export async function invokeUnary(
  spec: UnarySpec,
  context: HandlerContext,
  input: Message,
  interceptors: readonly Interceptor[] | undefined,
): Promise<Message> {
  enterChain(context);
  const next = methodChain(spec, interceptors, () => {
    const { method } = spec;
    return async (req: UnaryRequest): Promise<UnaryResponse> => {
      const call = contextOfChain(req.contextValues);
      return {
        message: create(method.output, (await spec.impl(req.message as never, mergeRequest(call, req))) as never),
        stream: false,
        method,
        service: method.parent,
        header: call.responseHeader,
        trailer: call.responseTrailer,
      };
    };
  });
  const { message, header, trailer } = await next(requestFor(spec, context, false, input) as UnaryRequest);
  copyHeaders(header, context.responseHeader);
  copyHeaders(trailer, context.responseTrailer);
  return message;
}
