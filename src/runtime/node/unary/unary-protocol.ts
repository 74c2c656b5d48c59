import { parseContentType as parseConnect } from "@connectrpc/connect/protocol-connect";
import { parseContentType as parseGrpc } from "@connectrpc/connect/protocol-grpc";
import { parseContentType as parseGrpcWeb } from "@connectrpc/connect/protocol-grpc-web";
import type { UnaryRoute } from "./unary-route.ts";

/** The protocol a unary request speaks, and whether its messages are protobuf (else JSON). */
export interface UnaryProtocol {
  name: "connect" | "grpc" | "grpc-web";
  binary: boolean;
}

/**
 * The protocol connect's own negotiation would pick for a POST with this content type
 * (its handlers' content-type patterns are disjoint), or undefined for anything the fast
 * path leaves to connect-node: other methods (Connect GET), unknown or missing content
 * types (connect answers 415), Connect streaming content types, server streams over
 * Connect, gRPC-Web text, gRPC over HTTP/1.1, protocols the router has switched off,
 * and a required Connect protocol header.
 */
export function unaryProtocolOf(
  route: UnaryRoute,
  httpMethod: string | undefined,
  contentType: string | undefined,
  http2: boolean,
): UnaryProtocol | undefined {
  if (httpMethod !== "POST" || !contentType) return undefined;
  const streaming = route.spec.kind === "server_streaming";
  if (route.protocols.grpc && contentType.startsWith("application/grpc")) {
    const grpc = parseGrpc(contentType);
    if (grpc) return http2 ? { name: "grpc", binary: grpc.binary } : undefined;
  }
  if (route.protocols.grpcWeb) {
    const grpcWeb = parseGrpcWeb(contentType);
    if (grpcWeb) return grpcWeb.text ? undefined : { name: "grpc-web", binary: grpcWeb.binary };
  }
  // Connect's streaming protocol (end-stream message, its own envelope flags) stays with connect-node.
  if (route.protocols.connect && !route.opt.requireConnectProtocolHeader && !streaming) {
    const connect = parseConnect(contentType);
    if (connect && !connect.stream) return { name: "connect", binary: connect.binary };
  }
  return undefined;
}
