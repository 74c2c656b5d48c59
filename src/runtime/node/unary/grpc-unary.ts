import type { Message } from "@bufbuild/protobuf";
import { Code, ConnectError, type MethodImplSpec } from "@connectrpc/connect";
import {
  type Compression,
  compressionNegotiate,
  createAsyncIterable,
  envelopeCompress,
  pipe,
  transformDecompressEnvelope,
  transformParseEnvelope,
  transformSplitEnvelope,
} from "@connectrpc/connect/protocol";
import {
  contentTypeJson,
  contentTypeProto,
  grpcStatusOk,
  headerAcceptEncoding,
  headerContentType,
  headerEncoding,
  headerGrpcStatus,
  headerTimeout,
  parseTimeout,
  setTrailerStatus,
} from "@connectrpc/connect/protocol-grpc";
import {
  contentTypeJson as contentTypeWebJson,
  contentTypeProto as contentTypeWebProto,
  trailerFlag,
} from "@connectrpc/connect/protocol-grpc-web";
import { contextOfCall } from "./call-context.ts";
import { invokeUnary } from "./invoke-unary.ts";
import { type UnaryCall, type UnaryResult, callComplete, concatChunks, headerOf, singleMessage } from "./unary-call.ts";
import type { UnaryRoute } from "./unary-route.ts";

/**
 * A gRPC or gRPC-Web unary call, step for step as connect's own handlers
 * (@connectrpc/connect/protocol-grpc{,-web}/handler-factory) do it, on a body read in
 * one piece: the same context, gate, checks in the same order, interceptor chain,
 * implementation and trailers. gRPC returns the trailers as HTTP trailers; gRPC-Web
 * appends them to the body as its trailer frame.
 */
export async function serveGrpcUnary(route: UnaryRoute, web: boolean, binary: boolean, call: UnaryCall): Promise<UnaryResult> {
  const { spec, opt, serialization } = route;
  const { context, compression, timeout } = startGrpcCall(route, web, binary, call);
  const frames: Uint8Array[] = [];
  try {
    // Awaited only when it returns a promise: a synchronous gate costs no extra tick.
    const gate = opt.requestGate?.(context);
    if (gate !== undefined) await gate;
    if (compression.error) throw compression.error;
    if (timeout.error) throw timeout.error;
    const input = await readGrpcRequest(route, web, binary, call, compression.request);
    const output = await invokeUnary(spec as MethodImplSpec & { kind: "unary" }, context, input, opt.interceptors);
    const frame = envelope(0, serialization.getO(binary).serialize(output), compression.response, opt.compressMinBytes);
    frames.push(frame instanceof Uint8Array ? frame : await frame);
  } catch (e) {
    context.abort(e);
    setTrailerStatus(
      context.responseTrailer,
      e instanceof ConnectError ? e : new ConnectError("internal error", Code.Internal, undefined, undefined, e),
    );
  } finally {
    context.abort(callComplete);
  }
  if (!web) {
    return { status: 200, header: context.responseHeader, body: concatChunks(frames), trailer: context.responseTrailer };
  }
  const trailerFrame = envelope(trailerFlag, serializeWebTrailer(context.responseTrailer), compression.response, opt.compressMinBytes);
  frames.push(trailerFrame instanceof Uint8Array ? trailerFrame : await trailerFrame);
  return { status: 200, header: context.responseHeader, body: concatChunks(frames) };
}

/** The handler context, compression and timeout of a gRPC or gRPC-Web call, as connect's handlers set them up. */
export function startGrpcCall(route: UnaryRoute, web: boolean, binary: boolean, call: UnaryCall) {
  const { opt } = route;
  const timeout = parseTimeout(headerOf(call.headers, headerTimeout), opt.maxTimeoutMs);
  const contentType = web ? (binary ? contentTypeWebProto : contentTypeWebJson) : binary ? contentTypeProto : contentTypeJson;
  const context = contextOfCall(route, call, web ? "grpc-web" : "grpc", timeout.timeoutMs);
  context.responseHeader.set(headerContentType, contentType);
  context.responseTrailer.set(headerGrpcStatus, grpcStatusOk);
  const compression = compressionNegotiate(
    opt.acceptCompression,
    headerOf(call.headers, headerEncoding),
    headerOf(call.headers, headerAcceptEncoding),
    headerAcceptEncoding,
  );
  if (compression.response) context.responseHeader.set(headerEncoding, compression.response.name);
  return { context, compression, timeout };
}

/** The one request message of a gRPC or gRPC-Web call, with connect's errors for anything else. */
export async function readGrpcRequest(
  route: UnaryRoute,
  web: boolean,
  binary: boolean,
  call: UnaryCall,
  decompression: Compression | null,
): Promise<Message> {
  const { opt, serialization } = route;
  // One envelope at the limit is readMaxBytes + 5 bytes; anything longer is refused by
  // connect's reader below from what was kept (its header, or a second envelope).
  const chunks = await call.readBody(opt.readMaxBytes + 6);
  const parse = serialization.getI(binary);
  const single = singleEnvelope(concatChunks(chunks), opt.readMaxBytes);
  if (single !== undefined) return parse.parse(single);
  return singleMessage(
    pipe(
      createAsyncIterable(chunks),
      transformSplitEnvelope(opt.readMaxBytes),
      transformDecompressEnvelope(decompression, opt.readMaxBytes),
      web ? transformParseEnvelope(parse, trailerFlag) : transformParseEnvelope(parse),
    ),
    "unary",
  );
}

/**
 * The message of a body that is exactly one uncompressed envelope within the limit;
 * undefined for anything else, which then goes through connect's own envelope reader.
 */
function singleEnvelope(body: Uint8Array, readMaxBytes: number): Uint8Array | undefined {
  if (body.byteLength < 5 || body[0] !== 0) return undefined;
  const length = new DataView(body.buffer, body.byteOffset + 1, 4).getUint32(0);
  if (length > readMaxBytes || body.byteLength !== 5 + length) return undefined;
  return body.subarray(5);
}

/**
 * connect's gRPC-Web trailer serialization (`name: value` lines, CRLF-terminated, UTF-8),
 * in a buffer from Node's pool rather than a new TextEncoder's fresh array.
 */
export function serializeWebTrailer(trailer: Headers): Uint8Array {
  let lines = "";
  trailer.forEach((value, key) => {
    lines += `${key}: ${value}\r\n`;
  });
  return Buffer.from(lines, "utf8");
}

/** One frame, compressed as connect's transformCompressEnvelope does (no promise when not). */
export function envelope(
  flags: number,
  data: Uint8Array,
  compression: Compression | null,
  compressMinBytes: number,
): Uint8Array | Promise<Uint8Array> {
  if (compression === null) return encodeEnvelope(flags, data);
  return envelopeCompress({ flags, data }, compression, compressMinBytes).then((c) => encodeEnvelope(c.flags, c.data));
}

/**
 * connect's encodeEnvelope, in a buffer from Node's pool: `new Uint8Array(n)` allocates a
 * fresh ArrayBuffer (0.6-0.9 µs in Node, most of a small frame's cost); Buffer.allocUnsafe
 * takes a slice of an 8 KiB slab for small frames, and every byte of it is written here.
 */
export function encodeEnvelope(flags: number, data: Uint8Array): Uint8Array {
  const frame = Buffer.allocUnsafe(data.byteLength + 5);
  frame[0] = flags;
  frame.writeUInt32BE(data.byteLength, 1);
  frame.set(data, 5);
  return frame;
}
