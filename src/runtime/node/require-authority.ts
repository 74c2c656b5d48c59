import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { constants } from "node:http2";
import type { Http1Listener } from "./unary/http1-unary.ts";
import type { Http2StreamListener } from "./unary/http2-unary.ts";

const plain = { "content-type": "text/plain; charset=utf-8" };
const message = "a valid Host header (or :authority) is required\n";

/**
 * Whether a request names an authority a URL can be built from. HTTP/1.0 lets a client
 * leave Host out, and a client may send an empty or malformed one: both the fast path
 * and stock connect-node then throw out of the request listener (`new URL`, or "unable to
 * determine request authority"), which takes the whole process down. One request line
 * was enough. The last good value is remembered: clients send the same Host over and over.
 */
function authorityChecker(): (value: string | undefined) => boolean {
  let lastGood = "";
  return (value) => {
    if (value === undefined || value === "") return false;
    if (value === lastGood) return true;
    if (!URL.canParse(`http://${value}/`)) return false;
    lastGood = value;
    return true;
  };
}

/** Answers 400 to an HTTP/1.x request without a usable Host, before anything else sees it. */
export function requireAuthority1(next: Http1Listener): Http1Listener {
  const valid = authorityChecker();
  return (req: IncomingMessage, res: ServerResponse) => {
    if (!valid(req.headers.host)) {
      res.writeHead(400, { ...plain, connection: "close" }).end(message);
      return;
    }
    next(req, res);
  };
}

/** The same for HTTP/2 streams, from `:authority` or else `host`. */
export function requireAuthority2(next: Http2StreamListener): Http2StreamListener {
  const valid = authorityChecker();
  return (stream, headers: IncomingHttpHeaders, flags, rawHeaders) => {
    const authority = headers[":authority"] ?? headers.host;
    if (!valid(typeof authority === "string" ? authority : undefined)) {
      stream.resume(); // discard any body, so the stream can close
      stream.respond({ ":status": constants.HTTP_STATUS_BAD_REQUEST, ...plain });
      stream.end(message);
      return;
    }
    next(stream, headers, flags, rawHeaders);
  };
}
