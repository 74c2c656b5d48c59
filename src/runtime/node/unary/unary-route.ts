import type { DescMessage } from "@bufbuild/protobuf";
import { type ConnectRouterOptions, type MethodImplSpec, createServiceImplSpec } from "@connectrpc/connect";
import {
  type MethodSerializationLookup,
  type UniversalHandlerOptions,
  createMethodSerializationLookup,
  validateUniversalHandlerOptions,
} from "@connectrpc/connect/protocol";
import { compressionBrotli, compressionGzip } from "@connectrpc/connect-node";
import type { ServiceEntry } from "../../../app.ts";
import { installPooledWriter, withPooledBinaryOutput } from "./pooled-binary.ts";

/**
 * The JSON serializer's text encoder (an option of connect's JSON serialization): the
 * same UTF-8 bytes as TextEncoder (lone surrogates become U+FFFD in both), in a buffer
 * from Node's pool instead of a fresh ArrayBuffer per response.
 */
const pooledUtf8 = { encode: (text = ""): Uint8Array => Buffer.from(text, "utf8") };

/** Everything the fast path needs to serve one unary or server-streaming method. */
export interface UnaryRoute {
  spec: MethodImplSpec & { kind: "unary" | "server_streaming" };
  serialization: MethodSerializationLookup<DescMessage, DescMessage>;
  /** The router options with connect's defaults filled in, as its own handlers see them. */
  opt: UniversalHandlerOptions;
  /** Which protocols the router serves (its `connect`, `grpc` and `grpcWeb` options). */
  protocols: { connect: boolean; grpc: boolean; grpcWeb: boolean };
}

/**
 * The unary and server-streaming methods of `services` by request path (`/acme.user.v1.UserService/GetUser`),
 * with the same option defaults connect-node applies (gzip and brotli accepted).
 */
export function createUnaryRoutes(services: ServiceEntry[], options: ConnectRouterOptions): Map<string, UnaryRoute> {
  const opt = validateUniversalHandlerOptions({
    ...options,
    acceptCompression: options.acceptCompression ?? [compressionGzip, compressionBrotli],
  });
  const protocols = {
    connect: options.connect !== false,
    grpc: options.grpc !== false,
    grpcWeb: options.grpcWeb !== false,
  };
  installPooledWriter();
  // createJsonSerialization takes a textEncoder; the lookup's parameter type omits it.
  const jsonOptions = { ...opt.jsonOptions, textEncoder: pooledUtf8 } as UniversalHandlerOptions["jsonOptions"];
  const routes = new Map<string, UnaryRoute>();
  for (const { service, impl } of services) {
    for (const spec of Object.values(createServiceImplSpec(service, impl).methods)) {
      if (spec.kind !== "unary" && spec.kind !== "server_streaming") continue;
      routes.set(`/${service.typeName}/${spec.method.name}`, {
        spec,
        serialization: withPooledBinaryOutput(createMethodSerializationLookup(spec.method, opt.binaryOptions, jsonOptions, opt)),
        opt,
        protocols,
      });
    }
  }
  return routes;
}
