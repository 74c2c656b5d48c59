import { constants } from "node:http2";
import type { Http1Listener } from "./unary/http1-unary.ts";
import type { Http2StreamListener } from "./unary/http2-unary.ts";
import { errorText } from "./error-text.ts";

/**
 * A request listener that throws takes the whole Node process down, every caller with
 * it. Nothing below should throw synchronously (require-authority.ts removed the one way
 * found), but one bad request must never cost everyone: answer 500 (or reset the stream),
 * say so on stderr without the request's content, and keep serving.
 */
export function neverThrow1(next: Http1Listener): Http1Listener {
  return (req, res) => {
    try {
      next(req, res);
    } catch (error) {
      reportCrash(error);
      if (res.headersSent) res.destroy();
      else res.writeHead(500, { "content-type": "text/plain; charset=utf-8", connection: "close" }).end("internal error\n");
    }
  };
}

/** The same for HTTP/2 streams. */
export function neverThrow2(next: Http2StreamListener): Http2StreamListener {
  return (stream, headers, flags, rawHeaders) => {
    try {
      next(stream, headers, flags, rawHeaders);
    } catch (error) {
      reportCrash(error);
      if (stream.headersSent || stream.destroyed) stream.close(constants.NGHTTP2_INTERNAL_ERROR);
      else {
        stream.respond({ ":status": 500, "content-type": "text/plain; charset=utf-8" });
        stream.end("internal error\n");
      }
    }
  };
}

function reportCrash(error: unknown): void {
  console.error(`request listener threw, request answered 500: ${errorText(error)}`);
}
