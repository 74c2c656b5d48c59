import { Code, ConnectError, type MethodImplSpec } from "@connectrpc/connect";
import { compressionNegotiate, createAsyncIterable, mergeNonProtocolHeaders, readAllBytes } from "@connectrpc/connect/protocol";
import {
  codeToHttpStatus,
  contentTypeUnaryJson,
  contentTypeUnaryProto,
  errorToJsonBytes,
  headerContentType,
  headerTimeout,
  headerUnaryAcceptEncoding,
  headerUnaryContentLength,
  headerUnaryEncoding,
  parseTimeout,
} from "@connectrpc/connect/protocol-connect";
import { contextOfCall } from "./call-context.ts";
import { invokeUnary } from "./invoke-unary.ts";
import { type UnaryCall, type UnaryResult, callComplete, concatChunks, headerOf } from "./unary-call.ts";
import type { UnaryRoute } from "./unary-route.ts";

/**
 * A Connect unary POST, step for step as connect's own handler
 * (@connectrpc/connect/protocol-connect/handler-factory, createUnaryHandler) does it, on
 * a body read in one piece: the same context, gate, checks in the same order, the same
 * interceptor chain and implementation, the same error serialisation.
 */
export async function serveConnectUnary(route: UnaryRoute, binary: boolean, call: UnaryCall): Promise<UnaryResult> {
  const { spec, opt, serialization } = route;
  const timeout = parseTimeout(headerOf(call.headers, headerTimeout), opt.maxTimeoutMs);
  const context = contextOfCall(route, call, "connect", timeout.timeoutMs);
  context.responseHeader.set(headerContentType, binary ? contentTypeUnaryProto : contentTypeUnaryJson);
  const compression = compressionNegotiate(
    opt.acceptCompression,
    headerOf(call.headers, headerUnaryEncoding),
    headerOf(call.headers, headerUnaryAcceptEncoding),
    headerUnaryAcceptEncoding,
  );
  let status = 200;
  let body: Uint8Array;
  try {
    // Awaited only when it returns a promise: a synchronous gate costs no extra tick.
    const gate = opt.requestGate?.(context);
    if (gate !== undefined) await gate;
    if (compression.error) throw compression.error;
    if (timeout.error) throw timeout.error;
    let bytes = await readUnaryBody(call, opt.readMaxBytes);
    if (compression.request) bytes = await compression.request.decompress(bytes, opt.readMaxBytes);
    const input = serialization.getI(binary).parse(bytes);
    const output = await invokeUnary(spec as MethodImplSpec & { kind: "unary" }, context, input, opt.interceptors);
    body = serialization.getO(binary).serialize(output);
  } catch (e) {
    context.abort(e);
    const error = e instanceof ConnectError ? e : new ConnectError("internal error", Code.Internal, undefined, undefined, e);
    status = codeToHttpStatus(error.code);
    context.responseHeader.set(headerContentType, contentTypeUnaryJson);
    if (!error.isWireError) mergeNonProtocolHeaders(context.responseHeader, error.metadata);
    body = errorToJsonBytes(error, opt.jsonOptions);
  } finally {
    context.abort(callComplete);
  }
  if (compression.response && body.byteLength >= opt.compressMinBytes) {
    body = await compression.response.compress(body);
    context.responseHeader.set(headerUnaryEncoding, compression.response.name);
  }
  const header = muxTrailers(context.responseHeader, context.responseTrailer);
  header.set(headerUnaryContentLength, body.byteLength.toString(10));
  return { status, header, body };
}

/**
 * connect's trailerMux (trailers as `trailer-` headers) into the call's own response
 * headers rather than a copy: the call is over, nothing reads them again, and copying
 * them through undici's Headers constructor cost ~0.2 µs and 0.7 KB per call.
 */
export function muxTrailers(header: Headers, trailer: Headers): Headers {
  trailer.forEach((value, key) => {
    header.append(`trailer-${key}`, value);
  });
  return header;
}

/**
 * The body, with connect's limits: a declared length over readMaxBytes is refused
 * unread, a body over it or different from its declared length is refused. The common
 * case (within limits, length as declared or none declared) skips connect's async
 * reader; every other case goes through it for the very same error.
 */
async function readUnaryBody(call: UnaryCall, readMaxBytes: number): Promise<Uint8Array> {
  const declared = headerOf(call.headers, headerUnaryContentLength);
  const hint = declared === null ? undefined : Number.parseInt(declared, 10);
  if (hint !== undefined && Number.isSafeInteger(hint) && hint > readMaxBytes) {
    return readAllBytes(createAsyncIterable([]), readMaxBytes, declared);
  }
  const chunks = await call.readBody(readMaxBytes + 1);
  let length = 0;
  for (const chunk of chunks) length += chunk.byteLength;
  const asDeclared = hint === undefined ? declared === null : hint === length;
  if (asDeclared && length <= readMaxBytes) return concatChunks(chunks);
  return readAllBytes(createAsyncIterable(chunks), readMaxBytes, declared);
}
