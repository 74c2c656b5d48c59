import type { ConnectRouter } from "@connectrpc/connect";
import { createFetchHandler } from "@connectrpc/connect/protocol";

/** Serves a router's handlers to fetch requests, by exact path; anything else is a 404. */
export function createFetchRouter(router: ConnectRouter): (request: Request) => Promise<Response> {
  const handlers = new Map(router.handlers.map((handler) => [handler.requestPath, createFetchHandler(handler)]));
  return (request) => {
    const handler = handlers.get(new URL(request.url).pathname);
    return handler ? handler(request) : Promise.resolve(new Response(null, { status: 404 }));
  };
}
