import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { createConnectRouter } from "@connectrpc/connect";
import { type UniversalHandler, universalServerRequestFromFetch, universalServerResponseToFetch } from "@connectrpc/connect/protocol";
import type { App } from "../../app.ts";
import { mcpPath } from "../../mcp/mcp-path.ts";
import { clientContextValues } from "../../protocol/client-address.ts";
import { pathOf } from "./unary/serve-unary.ts";
import { readBody } from "./unary/read-body.ts";

type Req = IncomingMessage | Http2ServerRequest;
type Res = ServerResponse | Http2ServerResponse;

/**
 * Serves MCP at /mcp (src/mcp/, docs/mcp.md) and hands every other request to `next`.
 * A tool call is a fetch Request to the app's own Connect router (the universal handlers
 * connect-node serves, with the same request gate and interceptors), with the MCP
 * request's client address, as the rate limiter keys anonymous callers on it. The MCP
 * code is imported on the first /mcp request, so servers nobody asks for it never load it.
 */
export function withMcpEndpoint<Q extends Req, S>(app: App, next: (req: Q, res: S) => void): (req: Q, res: S) => void {
  // Built on the first /mcp request, like the MCP code itself: not a start-up cost.
  let handlers: Map<string, UniversalHandler> | undefined;
  const handlerOf = (path: string) => {
    if (!handlers) {
      const router = createConnectRouter(app.options);
      app.routes(router);
      handlers = new Map(router.handlers.map((handler) => [handler.requestPath, handler]));
    }
    return handlers.get(path);
  };
  const dispatch = async (request: Request, address: string | undefined): Promise<Response> => {
    const handler = handlerOf(new URL(request.url).pathname);
    if (!handler) return new Response(null, { status: 404 });
    const universal = { ...universalServerRequestFromFetch(request, {}), contextValues: clientContextValues(address) };
    return universalServerResponseToFetch(await handler(universal));
  };
  return (req, res) => {
    if (pathOf(req.url ?? "") !== mcpPath) {
      next(req, res);
      return;
    }
    // connect-node's response type is either version's, with a looser write(): both end the same way.
    const out = res as unknown as Res;
    // Failures inside a call are tool errors already; this is the request itself failing
    // (its body ended early): answered without internals, as the errors interceptor does.
    serveMcp(req, out, dispatch).catch(() => {
      if (!out.headersSent) (out as ServerResponse).writeHead(500, { "content-type": "application/json" });
      out.end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32603, message: "internal error" }, id: null }));
    });
  };
}

async function serveMcp(req: Req, res: Res, dispatch: (request: Request, address: string | undefined) => Promise<Response>) {
  const { handleMcpRequest, mcpBodyLimit } = await import("../../mcp/handle-mcp-request.ts");
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    // Pseudo-headers (HTTP/2) are not headers; the length is the body's we pass on.
    if (name.startsWith(":") || name === "content-length" || value === undefined) continue;
    headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  // Kept up to one byte past the limit (the rest is drained), so the MCP transport sees
  // an oversized body as such and answers 413.
  const body = hasBody ? Buffer.concat(await readBody(req, mcpBodyLimit + 1)) : undefined;
  const authority = req.headers[":authority"] ?? req.headers.host ?? "localhost";
  const request = new Request(new URL(req.url ?? mcpPath, `http://${authority}`), { method: req.method, headers, body });
  const address = req.socket.remoteAddress;
  const response = await handleMcpRequest(request, (rpc) => dispatch(rpc, address));
  const out = Buffer.from(await response.arrayBuffer());
  (res as ServerResponse).writeHead(response.status, Object.fromEntries(response.headers)).end(out);
}
