import { create, toBinary } from "@bufbuild/protobuf";
import { GetUserRequestSchema } from "../../src/gen/acme/user/v1/user_pb.ts";
import { benchAuthorization } from "./bench-auth.ts";

/** The unary encodings the rows send. */
export type WireProtocol = "connect-json" | "connect-proto" | "grpc-web" | "grpc";

/** One request exactly as h2load sends it (the verification sends the same bytes). */
export interface WireRequest {
  protocol: WireProtocol;
  path: string;
  headers: Readonly<Record<string, string>>;
  body: Buffer;
}

export const getUserPath = "/acme.user.v1.UserService/GetUser";

/** A length-prefixed message: flags byte 0 (uncompressed), 4-byte big-endian length. */
export function envelope(message: Uint8Array, flags = 0): Buffer {
  const framed = Buffer.alloc(5 + message.byteLength);
  framed.writeUInt8(flags, 0);
  framed.writeUInt32BE(message.byteLength, 1);
  framed.set(message, 5);
  return framed;
}

/** GetUser{id} in `protocol`, with the headers a connect-es or gRPC client sends. */
export function getUserRequest(protocol: WireProtocol, id: string): WireRequest {
  const binary = toBinary(GetUserRequestSchema, create(GetUserRequestSchema, { id }));
  switch (protocol) {
    case "connect-json":
      return {
        protocol,
        path: getUserPath,
        headers: { "content-type": "application/json", "connect-protocol-version": "1", ...benchAuthorization() },
        body: Buffer.from(JSON.stringify({ id })),
      };
    case "connect-proto":
      return {
        protocol,
        path: getUserPath,
        headers: { "content-type": "application/proto", "connect-protocol-version": "1", ...benchAuthorization() },
        body: Buffer.from(binary),
      };
    case "grpc-web":
      return {
        protocol,
        path: getUserPath,
        headers: { "content-type": "application/grpc-web+proto", "x-grpc-web": "1", ...benchAuthorization() },
        body: envelope(binary),
      };
    case "grpc":
      return {
        protocol,
        path: getUserPath,
        headers: { "content-type": "application/grpc", te: "trailers", ...benchAuthorization() },
        body: envelope(binary),
      };
  }
}
