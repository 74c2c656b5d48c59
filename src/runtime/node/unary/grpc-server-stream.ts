import { Code, ConnectError, type MethodImplSpec } from "@connectrpc/connect";
import {
  pipe,
  transformDecompressEnvelope,
  transformParseEnvelope,
  transformPrepend,
  transformSplitEnvelope,
} from "@connectrpc/connect/protocol";
import { trailerFlag } from "@connectrpc/connect/protocol-grpc-web";
import { setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import { envelope, serializeWebTrailer, startGrpcCall } from "./grpc-unary.ts";
import { invokeServerStream } from "./invoke-server-stream.ts";
import type { StreamSink } from "./stream-sink.ts";
import { type UnaryCall, callComplete } from "./unary-call.ts";
import type { UnaryRoute } from "./unary-route.ts";

/**
 * A gRPC or gRPC-Web server stream, as connect's own handlers serve it (headers when the
 * first message is ready, one frame per message, trailers or the gRPC-Web trailer frame
 * last), but each frame written as soon as it is serialized, waiting only when the
 * connection pushes back, instead of through connect's chain of async-iterable stages.
 * The request side is connect's own pipeline, read inside the interceptor chain as
 * connect does it, so its errors (compression, timeout, envelopes) reach the chain too.
 */
export async function serveGrpcServerStream(
  route: UnaryRoute,
  web: boolean,
  binary: boolean,
  call: UnaryCall,
  sink: StreamSink,
): Promise<void> {
  const { spec, opt, serialization } = route;
  const { context, compression, timeout } = startGrpcCall(route, web, binary, call);
  let headSent = false;
  const head = () => {
    if (!headSent) sink.head(200, context.responseHeader);
    headSent = true;
  };
  try {
    const gate = opt.requestGate?.(context);
    if (gate !== undefined) await gate;
    const body: AsyncIterable<Uint8Array> = {
      async *[Symbol.asyncIterator]() {
        yield* await call.readBody(opt.readMaxBytes + 6);
      },
    };
    const input = pipe(
      body,
      transformPrepend<Uint8Array>(() => {
        if (compression.error) throw compression.error;
        if (timeout.error) throw timeout.error;
        return undefined;
      }),
      transformSplitEnvelope(opt.readMaxBytes),
      transformDecompressEnvelope(compression.request, opt.readMaxBytes),
      web ? transformParseEnvelope(serialization.getI(binary), trailerFlag) : transformParseEnvelope(serialization.getI(binary)),
    );
    const invoked = await invokeServerStream(spec as MethodImplSpec & { kind: "server_streaming" }, context, input, opt.interceptors);
    const it = invoked.messages;
    const serialize = serialization.getO(binary);
    for (let next = await it.next(); next.done !== true; next = await it.next()) {
      const frame = envelope(0, serialize.serialize(next.value), compression.response, opt.compressMinBytes);
      head();
      if (!sink.write(frame instanceof Uint8Array ? frame : await frame)) await sink.drained();
      if (sink.gone()) {
        // The client left: end the implementation's generators (their finally blocks run).
        await it.return?.();
        return;
      }
    }
    invoked.finish();
  } catch (e) {
    context.abort(e);
    setTrailerStatus(
      context.responseTrailer,
      e instanceof ConnectError ? e : new ConnectError("internal error", Code.Internal, undefined, undefined, e),
    );
  } finally {
    context.abort(callComplete);
  }
  if (sink.gone()) return;
  head();
  if (!web) {
    sink.end(context.responseTrailer);
    return;
  }
  const trailerFrame = envelope(trailerFlag, serializeWebTrailer(context.responseTrailer), compression.response, opt.compressMinBytes);
  sink.write(trailerFrame instanceof Uint8Array ? trailerFrame : await trailerFrame);
  sink.end();
}
