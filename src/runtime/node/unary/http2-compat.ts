import { Http2ServerRequest, Http2ServerResponse, constants } from "node:http2";
import type { Http2StreamListener } from "./http2-unary.ts";

/** A request listener of node:http2's compatibility API. */
export type Http2CompatListener = (req: Http2ServerRequest, res: Http2ServerResponse) => void;

/**
 * Serves a stream with compatibility request/response objects, exactly as an
 * http2.Server with a "request" listener would (Node's onServerStream: CONNECT is
 * refused, `expect: 100-continue` answered). Lets one server take streams on the core
 * API and still hand the rest to handlers written for the compatibility API.
 */
export function compatStream(listener: Http2CompatListener): Http2StreamListener {
  return (stream, headers, _flags, rawHeaders) => {
    const req = new Http2ServerRequest(stream, headers, {}, rawHeaders);
    const res = new Http2ServerResponse(stream);
    if (headers[":method"] === "CONNECT") {
      res.statusCode = constants.HTTP_STATUS_METHOD_NOT_ALLOWED;
      res.end();
      return;
    }
    if (headers.expect !== undefined) {
      if (headers.expect !== "100-continue") {
        res.statusCode = constants.HTTP_STATUS_EXPECTATION_FAILED;
        res.end();
        return;
      }
      res.writeContinue();
    }
    // A stream reset while its writer waits for flow control (a client that stops reading,
    // then cancels) never emits "drain" or "error" on the compatibility response, and
    // connect-node's writer waits for one of them forever, holding the call open. Wake it:
    // its next write then fails and the call ends as canceled.
    stream.once("close", () => {
      if (!res.writableFinished && res.listenerCount("drain") > 0) res.emit("drain");
    });
    listener(req, res);
  };
}
