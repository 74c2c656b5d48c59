import { serveConnectUnary } from "./connect-unary.ts";
import { serveGrpcUnary } from "./grpc-unary.ts";
import type { UnaryCall, UnaryResult } from "./unary-call.ts";
import type { UnaryProtocol } from "./unary-protocol.ts";
import type { UnaryRoute } from "./unary-route.ts";

/** Serves one unary call in the protocol it arrived in. */
export function serveUnary(route: UnaryRoute, protocol: UnaryProtocol, call: UnaryCall): Promise<UnaryResult> {
  switch (protocol.name) {
    case "connect":
      return serveConnectUnary(route, protocol.binary, call);
    case "grpc":
      return serveGrpcUnary(route, false, protocol.binary, call);
    case "grpc-web":
      return serveGrpcUnary(route, true, protocol.binary, call);
  }
}

/** The request path without its query. */
export function pathOf(url: string): string {
  const query = url.indexOf("?");
  return query < 0 ? url : url.slice(0, query);
}
