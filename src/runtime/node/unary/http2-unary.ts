import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerHttp2Stream } from "node:http2";
import { Code, ConnectError } from "@connectrpc/connect";
import { writeAtEndOfTurn } from "./end-of-turn.ts";
import { errorFromResetCode } from "./h2-reset.ts";
import { addNodeHeaders } from "./node-headers.ts";
import { readBody } from "./read-body.ts";
import { requestUrl } from "./request-url.ts";
import { serveGrpcServerStream } from "./grpc-server-stream.ts";
import { quietDestroy } from "./quiet-destroy.ts";
import { pathOf, serveUnary } from "./serve-unary.ts";
import type { StreamSink } from "./stream-sink.ts";
import { type UnaryCall, type UnaryResult, clientWentAway } from "./unary-call.ts";
import { unaryProtocolOf } from "./unary-protocol.ts";
import type { UnaryRoute } from "./unary-route.ts";

/** A listener of node:http2's core API (`server.on("stream")`). */
export type Http2StreamListener = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number, rawHeaders: string[]) => void;

const streamClosed = new ConnectError("the client closed the stream", Code.Canceled);
const ignoreError = () => {};

/**
 * Serves unary RPCs over HTTP/2 on node:http2's stream API: headers, body and
 * trailers are written once each, at the end of the turn (end-of-turn.ts), with no
 * compatibility request/response objects. Every other stream goes to `fallback`
 * untouched. `extraHeaders(headers)` adds response headers (CORS) to fast-path responses.
 */
export function http2Unary(
  routes: Map<string, UnaryRoute>,
  fallback: Http2StreamListener,
  extraHeaders: (headers: IncomingHttpHeaders) => OutgoingHttpHeaders | undefined = () => undefined,
): Http2StreamListener {
  return (stream, headers, flags, rawHeaders) => {
    const route = routes.get(pathOf(headers[":path"] ?? ""));
    const protocol = route && unaryProtocolOf(route, headers[":method"], headers["content-type"], true);
    const authority = headers[":authority"] ?? headers.host;
    if (!route || !protocol || authority === undefined) {
      fallback(stream, headers, flags, rawHeaders);
      return;
    }
    const call: UnaryCall = {
      url: requestUrl("http", authority, headers[":path"] ?? ""),
      headers,
      remoteAddress: stream.session?.socket.remoteAddress,
      readBody: (keepBytes: number) => readBody(stream, keepBytes),
    };
    let trailer: Headers | undefined;
    const sendTrailers = () => {
      if (trailer) stream.sendTrailers(addNodeHeaders({}, trailer));
    };
    // A stream closes once; after a completed call, this aborts nothing.
    const onClose = () => {
      clientWentAway(call, errorFromResetCode(stream.rstCode) ?? streamClosed);
      // A closed stream can stay reachable (from garbage already promoted) through several
      // young-generation collections: let go of this call, or it is copied along each time.
      stream.removeListener("close", onClose);
      stream.removeListener("wantTrailers", sendTrailers);
      call.abortCall = undefined;
      trailer = undefined;
    };
    stream.on("close", onClose);
    // The close above aborts the call; an unhandled stream error would end the process.
    stream.on("error", ignoreError);
    const failed = (error: unknown) => {
      console.error(`handler for rpc ${route.spec.method.name} of ${route.spec.method.parent.typeName} failed`, error);
      stream.close(2 /* INTERNAL_ERROR */);
    };
    if (route.spec.kind === "server_streaming") {
      const sink = http2Sink(stream, protocol.name === "grpc", extraHeaders(headers));
      serveGrpcServerStream(route, protocol.name === "grpc-web", protocol.binary, call, sink).catch(failed);
      return;
    }
    const respond = (result: UnaryResult) => {
      if (stream.destroyed || stream.closed) return;
      const out: OutgoingHttpHeaders = { ":status": result.status, ...extraHeaders(headers) };
      addNodeHeaders(out, result.header);
      trailer = result.trailer;
      if (trailer) {
        stream.respond(out, { waitForTrailers: true });
        // Emitted once per stream (on: no once wrapper per call); removed on close.
        stream.on("wantTrailers", sendTrailers);
      } else {
        stream.respond(out);
      }
      quietDestroy(stream);
      stream.end(result.body);
    };
    serveUnary(route, protocol, call).then((result) => writeAtEndOfTurn(() => respond(result), failed), failed);
  };
}

/**
 * Bytes a stream may have waiting to be sent before its writer yields: one DATA frame at
 * the default SETTINGS_MAX_FRAME_SIZE. Node's own limit (the stream's high-water mark,
 * 64 KiB) is reached only after a whole window's worth of messages has been produced in
 * one go, none of it sent yet, since nghttp2 sends only when the event loop turns; a
 * smaller batch lets the client read one while the next is produced.
 */
const yieldAfterBytes = 16 * 1024;

/** A streamed response on an HTTP/2 stream; `trailers` for gRPC, whose status goes in HTTP trailers. */
function http2Sink(stream: ServerHttp2Stream, trailers: boolean, extra: OutgoingHttpHeaders | undefined): StreamSink {
  const gone = () => stream.destroyed || stream.closed;
  return {
    head(status, header) {
      if (gone()) return;
      stream.respond(addNodeHeaders({ ":status": status, ...extra }, header), { waitForTrailers: trailers });
    },
    write: (frame) => gone() || (stream.write(frame) && stream.writableLength < yieldAfterBytes),
    drained: () => (stream.writableNeedDrain ? waitForDrain(stream, gone) : nextTurn()),
    end(trailer) {
      if (gone()) return;
      if (trailer) stream.once("wantTrailers", () => stream.sendTrailers(addNodeHeaders({}, trailer)));
      quietDestroy(stream);
      stream.end();
    },
    gone,
  };
}

/** Resolves after the event loop's I/O phase: what was written so far can go out meanwhile. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Resolves on "drain", or at once (or on "close") when the peer is gone. */
export function waitForDrain(stream: NodeJS.WritableStream & NodeJS.EventEmitter, gone: () => boolean): Promise<void> {
  if (gone()) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      stream.off("drain", done);
      stream.off("close", done);
      resolve();
    };
    stream.once("drain", done);
    stream.once("close", done);
  });
}
