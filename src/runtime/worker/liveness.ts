const plain = { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" };

/**
 * GET /healthz on the Worker: the isolate runs (liveness). Whether it can serve (D1 and
 * the KV config) is grpc.health.v1, over Connect and gRPC-Web.
 */
export function livenessResponse(method: string): Response {
  if (method === "GET" || method === "HEAD") return new Response(method === "GET" ? "ok\n" : null, { headers: plain });
  return new Response(`${method} is not allowed here: use GET\n`, { status: 405, headers: { ...plain, allow: "GET, HEAD" } });
}
