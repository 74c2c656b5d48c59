/**
 * A Worker response cannot carry HTTP trailers, and native gRPC sends its status in
 * trailers, so gRPC cannot be served here. Rather than let a gRPC client hang or read a
 * 200 without a status, answer at once with a gRPC "trailers-only" response: the status
 * travels in the headers, which every gRPC client reads.
 */
const grpcContentType = /^application\/grpc(?:\+[\w.-]+)?\s*(?:;|$)/i;

/** True for native gRPC requests (not gRPC-Web, whose content type differs). */
export function isNativeGrpc(request: Request): boolean {
  return grpcContentType.test(request.headers.get("content-type") ?? "");
}

const message =
  "gRPC over HTTP/2 is not supported by this server on Cloudflare Workers (no HTTP trailers); " +
  "use the Connect or gRPC-Web protocol, or the Node server for native gRPC";

/** UNIMPLEMENTED (12), in a trailers-only response. */
export function grpcUnsupportedResponse(): Response {
  return new Response(null, {
    status: 200,
    headers: {
      "content-type": "application/grpc",
      "grpc-status": "12",
      "grpc-message": encodeURIComponent(message),
    },
  });
}
