import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import type { App } from "../../app.ts";
import { clientContextValues } from "../../protocol/client-address.ts";
import { decideCors } from "../../protocol/cors.ts";
import { type HttpEndpoint, withHttpEndpoints } from "./http-endpoints.ts";
import type { NodeHandler, ServerListeners } from "./one-port-server.ts";
import { neverThrow1, neverThrow2 } from "./never-throw.ts";
import { requireAuthority1, requireAuthority2 } from "./require-authority.ts";
import { http1Unary } from "./unary/http1-unary.ts";
import { compatStream } from "./unary/http2-compat.ts";
import { http2Unary } from "./unary/http2-unary.ts";
import { createUnaryRoutes } from "./unary/unary-route.ts";

export interface NodeListenerOptions {
  /** Answers requests no RPC route takes (the web page). */
  fallback?: NodeHandler;
  /** Origins granted CORS, read per request (runtime config). */
  allowedOrigins?: () => readonly string[];
  /**
   * Serve unary RPCs on the fast path (src/runtime/node/unary/); false leaves every
   * request to stock connect-node. Both answer the same (test/node/fast-path-differential.test.ts).
   */
  fastPath?: boolean;
  /** Plain HTTP endpoints by exact path (probes, metrics), served ahead of the RPC fallback. */
  endpoints?: Readonly<Record<string, HttpEndpoint>>;
}

/**
 * The Node server's listeners for both HTTP versions: requests without a usable
 * authority refused, CORS, then unary RPCs and gRPC / gRPC-Web server streams on the fast
 * path (compressed ones included, through connect's own compression), then everything
 * else (Connect streams, client and bidi streams, Connect GET, unknown paths) on stock
 * connect-node, whose fallback serves the plain HTTP endpoints and the page.
 */
export function createNodeListeners(app: App, options: NodeListenerOptions = {}): ServerListeners {
  // Endpoint paths are never RPC paths (those are /package.Service/Method), so serving them
  // ahead of connect-node, behind the fast path's route lookup, keeps RPCs unaffected.
  const stock = withHttpEndpoints(
    options.endpoints ?? {},
    connectNodeAdapter({
      ...app.options,
      routes: app.routes,
      fallback: options.fallback,
      contextValues: (req) => clientContextValues(req.socket.remoteAddress),
    }),
  );
  const allowedOrigins = options.allowedOrigins ?? (() => []);
  const cors = (method: string, headers: IncomingHttpHeaders) =>
    decideCors(
      {
        method,
        origin: headers.origin ?? null,
        requestHeaders: String(headers["access-control-request-headers"] ?? "") || null,
      },
      allowedOrigins(),
    );
  // Preflights answered here; granted headers set on the response for whatever serves it.
  function withCors<Req extends IncomingMessage | Http2ServerRequest, Res extends ServerResponse | Http2ServerResponse>(
    next: (req: Req, res: Res) => void,
  ): (req: Req, res: Res) => void {
    return (req, res) => {
      const decision = cors(req.method ?? "", req.headers);
      if (decision.preflight) {
        (res as ServerResponse).writeHead(decision.status, decision.headers).end();
        return;
      }
      for (const [name, value] of Object.entries(decision.headers)) (res as ServerResponse).setHeader(name, value);
      next(req, res);
    };
  }
  if (options.fastPath === false) {
    return {
      http1: neverThrow1(requireAuthority1(withCors(stock))),
      http2: neverThrow2(requireAuthority2(compatStream(withCors(stock)))),
    };
  }
  const routes = createUnaryRoutes(app.services, app.options);
  return {
    http1: neverThrow1(requireAuthority1(withCors(http1Unary(routes, stock)))),
    // Fast-path HTTP/2 streams never become request objects: their CORS headers are added at respond().
    http2: neverThrow2(
      requireAuthority2(http2Unary(routes, compatStream(withCors(stock)), (headers) => cors(headers[":method"] ?? "", headers).headers)),
    ),
  };
}
