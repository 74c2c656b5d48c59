import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { pathOf } from "./unary/serve-unary.ts";

/** A plain HTTP endpoint beside the RPCs (probes, metrics): one request, one response. */
export type HttpEndpoint = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => void;

/**
 * Serves the exact paths in `endpoints` (query ignored) before anything else sees the
 * request, and hands every other request to `next`. Endpoints answer GET and HEAD; any
 * other method gets 405 with an Allow header, so a probe misconfigured as POST says why.
 */
export function withHttpEndpoints<Req extends IncomingMessage | Http2ServerRequest, Res extends ServerResponse | Http2ServerResponse>(
  endpoints: Readonly<Record<string, HttpEndpoint>>,
  next: (req: Req, res: Res) => void,
): (req: Req, res: Res) => void {
  const table = new Map(Object.entries(endpoints));
  if (table.size === 0) return next;
  return (req, res) => {
    const endpoint = table.get(pathOf(req.url ?? ""));
    if (!endpoint) {
      next(req, res);
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      (res as ServerResponse)
        .writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" })
        .end(`${req.method} is not allowed here: use GET\n`);
      return;
    }
    endpoint(req, res);
  };
}
