import { type DescMethod, type MessageInitShape, create, toBinary, toJsonString } from "@bufbuild/protobuf";
import { type Framing, type WireRequest, envelope } from "./wire-status.ts";

/** One way a runtime serves RPCs: the protocol, the encoding, and the HTTP version where a test can pick it. */
export interface Variant {
  protocol: "connect" | "grpc" | "grpc-web";
  binary: boolean;
  http?: 1 | 2;
}

/**
 * What the Node runtime serves: every protocol and encoding, over HTTP/1.1 and h2c
 * (connect-node serves gRPC over HTTP/1.1 too, with chunked trailers).
 */
export const nodeVariants: Variant[] = (["connect", "grpc-web", "grpc"] as const).flatMap((protocol) =>
  [true, false].flatMap((binary) => ([1, 2] as const).map((http) => ({ protocol, binary, http }))),
);

/** What a Worker serves: Connect and gRPC-Web, binary and JSON (native gRPC needs trailers). */
export const workerVariants: Variant[] = (["connect", "grpc-web"] as const).flatMap((protocol) =>
  [true, false].map((binary) => ({ protocol, binary })),
);

export function variantName(v: Variant): string {
  const http = v.http === undefined ? "" : v.http === 1 ? " HTTP/1.1" : " h2c";
  return `${v.protocol}${v.binary ? "" : "+json"}${http}`;
}

/** Whether the variant can carry the method: bidirectional streams need HTTP/2. */
export function carries(v: Variant, method: DescMethod): boolean {
  return method.methodKind !== "bidi_streaming" || v.http === 2;
}

/** Connect has a unary and a streaming protocol; gRPC and gRPC-Web frame every call alike. */
export function framingOf(v: Variant, method: DescMethod): Framing {
  if (v.protocol !== "connect") return v.protocol;
  return method.methodKind === "unary" ? "connect-unary" : "connect-stream";
}

const contentTypes: Record<Framing, [proto: string, json: string]> = {
  "connect-unary": ["application/proto", "application/json"],
  "connect-stream": ["application/connect+proto", "application/connect+json"],
  grpc: ["application/grpc", "application/grpc+json"],
  "grpc-web": ["application/grpc-web+proto", "application/grpc-web+json"],
};

/** A POST of `body` (already framed) to the method, with the variant's content type. */
export function requestOf(v: Variant, method: DescMethod, body: Uint8Array, headers: Record<string, string> = {}): WireRequest {
  const framing = framingOf(v, method);
  return {
    path: `/${method.parent.typeName}/${method.name}`,
    headers: { "content-type": contentTypes[framing][v.binary ? 0 : 1], ...(framing === "grpc" ? { te: "trailers" } : {}), ...headers },
    body,
  };
}

/** A well-formed call of the method in the variant. */
export function goodRequest<M extends DescMethod>(v: Variant, method: M, init: MessageInitShape<M["input"]>): WireRequest {
  const message = create(method.input, init);
  const payload = v.binary ? toBinary(method.input, message) : new TextEncoder().encode(toJsonString(method.input, message));
  return requestOf(v, method, framingOf(v, method) === "connect-unary" ? payload : envelope(payload));
}
