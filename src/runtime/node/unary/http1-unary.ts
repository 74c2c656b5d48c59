import type { IncomingMessage, ServerResponse } from "node:http";
import { Code, ConnectError } from "@connectrpc/connect";
import { writeAtEndOfTurn } from "./end-of-turn.ts";
import { addNodeHeaders } from "./node-headers.ts";
import { readBody } from "./read-body.ts";
import { requestUrl } from "./request-url.ts";
import { serveGrpcServerStream } from "./grpc-server-stream.ts";
import { waitForDrain } from "./http2-unary.ts";
import { pathOf, serveUnary } from "./serve-unary.ts";
import type { StreamSink } from "./stream-sink.ts";
import { type UnaryCall, type UnaryResult, clientWentAway } from "./unary-call.ts";
import { unaryProtocolOf } from "./unary-protocol.ts";
import type { UnaryRoute } from "./unary-route.ts";

/**
 * node:http sends a string body in the same write as the headers, a Buffer body in a
 * second buffer of a writev (about 20% fewer small responses per second here). Bytes as
 * a latin1 string are the same bytes, so small bodies go that way.
 */
function endWith(res: ServerResponse, body: Uint8Array): void {
  if (body.byteLength > 16 * 1024) {
    res.end(body);
    return;
  }
  res.end(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("latin1"), "latin1");
}

/** A node:http request listener. */
export type Http1Listener = (req: IncomingMessage, res: ServerResponse) => void;

const clientGone = new ConnectError("the client closed the connection", Code.Canceled);

/**
 * Serves unary RPCs over HTTP/1.1 straight from node:http (body read once, response
 * written once, at the end of the turn: end-of-turn.ts), and hands every other request to
 * `fallback` untouched. Headers set on `res` before (CORS) go out with either, as
 * writeHead merges them.
 */
export function http1Unary(routes: Map<string, UnaryRoute>, fallback: Http1Listener): Http1Listener {
  return (req, res) => {
    const route = routes.get(pathOf(req.url ?? ""));
    const protocol = route && unaryProtocolOf(route, req.method, req.headers["content-type"], false);
    const authority = req.headers.host;
    if (!route || !protocol || authority === undefined) {
      fallback(req, res);
      return;
    }
    const scheme = "encrypted" in req.socket && req.socket.encrypted ? "https" : "http";
    const call: UnaryCall = {
      url: requestUrl(scheme, authority, req.url ?? ""),
      headers: req.headers,
      remoteAddress: req.socket.remoteAddress,
      readBody: (keepBytes: number) => readBody(req, keepBytes),
    };
    // As connect-node: the call is aborted when the response closes early or the request
    // fails (the first reason wins; after a completed call, this aborts nothing).
    res.on("close", () => clientWentAway(call, req.errored ?? clientGone));
    req.on("error", (error) => clientWentAway(call, error));
    const failed = (error: unknown) => {
      console.error(`handler for rpc ${route.spec.method.name} of ${route.spec.method.parent.typeName} failed`, error);
      res.destroy();
    };
    if (route.spec.kind === "server_streaming") {
      // gRPC-Web only: native gRPC over HTTP/1.1 is left to connect-node (unary-protocol.ts).
      serveGrpcServerStream(route, true, protocol.binary, call, http1Sink(res)).catch(failed);
      return;
    }
    const respond = (result: UnaryResult) => {
      if (res.destroyed) return;
      res.writeHead(result.status, addNodeHeaders({}, result.header));
      endWith(res, result.body);
    };
    serveUnary(route, protocol, call).then((result) => writeAtEndOfTurn(() => respond(result), failed), failed);
  };
}

/** A streamed gRPC-Web response on node:http (chunked, as connect-node writes it). */
function http1Sink(res: ServerResponse): StreamSink {
  const gone = () => res.destroyed;
  return {
    head(status, header) {
      if (!gone()) res.writeHead(status, addNodeHeaders({}, header));
    },
    write: (frame) => gone() || res.write(frame),
    drained: () => waitForDrain(res, gone),
    end() {
      if (!gone()) res.end();
    },
    gone,
  };
}
