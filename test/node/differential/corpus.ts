import { gzipSync } from "node:zlib";
import { type DescMessage, type MessageInitShape, create, toBinary, toJson } from "@bufbuild/protobuf";
import { CreateOrderRequestSchema, GetOrderRequestSchema } from "../../../src/gen/acme/order/v1/order_pb.ts";
import { HealthCheckRequestSchema, HealthListRequestSchema } from "../../../src/gen/grpc/health/v1/health_pb.ts";
import {
  CreateUserRequestSchema,
  ExportUsersRequestSchema,
  GetUserRequestSchema,
  ListUsersRequestSchema,
} from "../../../src/gen/acme/user/v1/user_pb.ts";
import { testAuth } from "../test-auth-key.ts";
import type { RawRequest } from "./raw-exchange.ts";

/** Every request carries the test key's token with every scope, unless a case says otherwise. */
const authorization = testAuth.bearer;
const readOnly = `Bearer ${await testAuth.mint({ sub: "reader", scopes: ["users:read"] })}`;

/** One way of putting a unary request on the wire. */
export interface Variant {
  name: string;
  protocol: "connect" | "grpc" | "grpc-web";
  contentType: string;
  binary: boolean;
}

export const variants: Variant[] = [
  { name: "connect+json", protocol: "connect", contentType: "application/json", binary: false },
  { name: "connect+proto", protocol: "connect", contentType: "application/proto", binary: true },
  { name: "grpc", protocol: "grpc", contentType: "application/grpc", binary: true },
  { name: "grpc+json", protocol: "grpc", contentType: "application/grpc+json", binary: false },
  { name: "grpc-web", protocol: "grpc-web", contentType: "application/grpc-web+proto", binary: true },
  { name: "grpc-web+json", protocol: "grpc-web", contentType: "application/grpc-web+json", binary: false },
];

/** Ids and emails the seeded databases hold (test/node/differential/seed.ts). */
export interface Seeded {
  userId: string;
  email: string;
  orderId: string;
}

export interface Case {
  name: string;
  request: RawRequest;
  /** Success bodies with server-made ids and times (CreateUser, CreateOrder). */
  generated?: boolean;
  /** A body shorter than its content-length: only an HTTP/1.1 client sends that. */
  http1Only?: boolean;
}

const users = "/acme.user.v1.UserService";
const orders = "/acme.order.v1.OrderService";
const health = "/grpc.health.v1.Health";
const fourMiB = 4 * 1024 * 1024;

function envelope(payload: Uint8Array, flags = 0, declared = payload.length): Uint8Array {
  const frame = new Uint8Array(5 + payload.length);
  frame[0] = flags;
  new DataView(frame.buffer).setUint32(1, declared);
  frame.set(payload, 5);
  return frame;
}

/** A message in the variant's encoding, without framing. */
function encode<D extends DescMessage>(v: Variant, schema: D, init: MessageInitShape<D>): Uint8Array {
  const message = create(schema, init);
  return v.binary ? toBinary(schema, message) : new TextEncoder().encode(JSON.stringify(toJson(schema, message)));
}

/** Raw payload bytes, framed for gRPC and gRPC-Web. */
function framed(v: Variant, payload: Uint8Array): Uint8Array {
  return v.protocol === "connect" ? payload : envelope(payload);
}

function post(v: Variant, path: string, body: Uint8Array, headers: Record<string, string> = {}): RawRequest {
  return {
    method: "POST",
    path,
    headers: { "content-type": v.contentType, ...(v.protocol === "grpc" ? { te: "trailers" } : {}), authorization, ...headers },
    body,
  };
}

function withoutToken(request: RawRequest): RawRequest {
  const { authorization: _, ...headers } = request.headers;
  return { ...request, headers };
}

const timeoutHeader = (v: Variant) => (v.protocol === "connect" ? "connect-timeout-ms" : "grpc-timeout");
const encodingHeader = (v: Variant) => (v.protocol === "connect" ? "content-encoding" : "grpc-encoding");
const acceptEncodingHeader = (v: Variant) => (v.protocol === "connect" ? "accept-encoding" : "grpc-accept-encoding");

/**
 * The corpus for one variant: every method, success and each error kind, bad input,
 * deadlines, compression both ways, limits. `tag` keeps emails unique per variant and
 * HTTP version while identical for the two servers compared.
 */
export function corpus(v: Variant, seeded: Seeded, tag: string): Case[] {
  const m = <D extends DescMessage>(schema: D, init: MessageInitShape<D>) => framed(v, encode(v, schema, init));
  const getUser = (id: string, headers?: Record<string, string>) => post(v, `${users}/GetUser`, m(GetUserRequestSchema, { id }), headers);
  const cases: Case[] = [
    { name: "GetUser ok", request: getUser(seeded.userId) },
    { name: "GetUser not_found", request: getUser("3f0c9e4e-0000-4000-8000-000000000000") },
    { name: "GetUser invalid_argument (violation)", request: getUser("not-a-uuid") },
    {
      name: "GetUser with traceparent",
      request: getUser(seeded.userId, { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" }),
    },
    { name: "ListUsers ok", request: post(v, `${users}/ListUsers`, m(ListUsersRequestSchema, { pageSize: 3 })) },
    {
      name: "ListUsers large response, compression accepted",
      request: post(v, `${users}/ListUsers`, m(ListUsersRequestSchema, { pageSize: 40 }), { [acceptEncodingHeader(v)]: "gzip" }),
    },
    {
      name: "ListUsers large response, br preferred",
      request: post(v, `${users}/ListUsers`, m(ListUsersRequestSchema, { pageSize: 40 }), { [acceptEncodingHeader(v)]: "br, gzip" }),
    },
    { name: "ListUsers page_size over max", request: post(v, `${users}/ListUsers`, m(ListUsersRequestSchema, { pageSize: 5000 })) },
    { name: "ListUsers bad page token", request: post(v, `${users}/ListUsers`, m(ListUsersRequestSchema, { pageToken: "nope" })) },
    {
      name: "CreateUser ok",
      generated: true,
      request: post(v, `${users}/CreateUser`, m(CreateUserRequestSchema, { email: `new-${tag}@example.com`, displayName: "New" })),
    },
    {
      // Multi-byte UTF-8 in the response (JSON and binary encoders alike).
      name: "CreateUser ok, non-ASCII name",
      generated: true,
      request: post(
        v,
        `${users}/CreateUser`,
        m(CreateUserRequestSchema, { email: `utf8-${tag}@example.com`, displayName: "Zoë Ñandú 😀 日本" }),
      ),
    },
    {
      name: "CreateUser already_exists",
      request: post(v, `${users}/CreateUser`, m(CreateUserRequestSchema, { email: seeded.email.toUpperCase(), displayName: "Dup" })),
    },
    {
      name: "CreateUser violations",
      request: post(v, `${users}/CreateUser`, m(CreateUserRequestSchema, { email: "nope", displayName: " " })),
    },
    { name: "Health Check ok", request: post(v, `${health}/Check`, m(HealthCheckRequestSchema, { service: "" })) },
    {
      name: "Health Check not_found",
      request: post(v, `${health}/Check`, m(HealthCheckRequestSchema, { service: "acme.nope.v1.NopeService" })),
    },
    { name: "Health List ok", request: post(v, `${health}/List`, m(HealthListRequestSchema, {})) },
    { name: "GetOrder ok", request: post(v, `${orders}/GetOrder`, m(GetOrderRequestSchema, { id: seeded.orderId })) },
    {
      name: "GetOrder not_found",
      request: post(v, `${orders}/GetOrder`, m(GetOrderRequestSchema, { id: "3f0c9e4e-0000-4000-8000-0000000000ff" })),
    },
    {
      name: "CreateOrder ok (calls UserService)",
      generated: true,
      request: post(
        v,
        `${orders}/CreateOrder`,
        m(CreateOrderRequestSchema, { userId: seeded.userId, items: [{ sku: "SKU-1", quantity: 2 }] }),
      ),
    },
    {
      name: "CreateOrder failed_precondition (unknown user)",
      request: post(
        v,
        `${orders}/CreateOrder`,
        m(CreateOrderRequestSchema, { userId: "3f0c9e4e-0000-4000-8000-000000000000", items: [{ sku: "SKU-1", quantity: 1 }] }),
      ),
    },
    // Bad input.
    { name: "empty body", request: post(v, `${users}/GetUser`, new Uint8Array(0)) },
    {
      name: v.binary ? "truncated protobuf" : "invalid JSON",
      request: post(v, `${users}/CreateUser`, framed(v, v.binary ? new Uint8Array([0x0a, 0x05]) : new TextEncoder().encode('{"email": '))),
    },
    {
      name: v.binary ? "invalid UTF-8 in a string field" : "JSON of the wrong type",
      request: post(
        v,
        `${users}/CreateUser`,
        framed(v, v.binary ? new Uint8Array([0x0a, 0x02, 0xff, 0xfe]) : new TextEncoder().encode('{"email": 5}')),
      ),
    },
    {
      name: "unknown JSON field / unknown protobuf field",
      request: post(
        v,
        `${users}/GetUser`,
        framed(v, v.binary ? new Uint8Array([0x78, 0x01]) : new TextEncoder().encode(`{"id": "${seeded.userId}", "nope": 1}`)),
      ),
    },
    {
      name: "body over 4 MiB",
      request: post(
        v,
        `${users}/CreateUser`,
        framed(v, encode(v, CreateUserRequestSchema, { email: "big@example.com", displayName: "x".repeat(fourMiB) })),
      ),
    },
    {
      name: "unknown compression",
      request: post(v, `${users}/GetUser`, m(GetUserRequestSchema, { id: seeded.userId }), { [encodingHeader(v)]: "snappy" }),
    },
    {
      name: "gzip-compressed request",
      request: post(
        v,
        `${users}/GetUser`,
        v.protocol === "connect"
          ? gzipSync(encode(v, GetUserRequestSchema, { id: seeded.userId }))
          : envelope(gzipSync(encode(v, GetUserRequestSchema, { id: seeded.userId })), 1),
        { [encodingHeader(v)]: "gzip" },
      ),
    },
    {
      name: "deadline over the maximum",
      request: getUser(seeded.userId, { [timeoutHeader(v)]: v.protocol === "connect" ? "600000" : "10M" }),
    },
    { name: "deadline already expired", request: getUser(seeded.userId, { [timeoutHeader(v)]: v.protocol === "connect" ? "0" : "0m" }) },
    { name: "malformed deadline", request: getUser(seeded.userId, { [timeoutHeader(v)]: "soon" }) },
    { name: "unknown method", request: post(v, `${users}/DeleteUser`, m(GetUserRequestSchema, { id: seeded.userId })) },
    {
      name: "GET on a unary method",
      request: { method: "GET", path: `${users}/CreateUser`, headers: { "content-type": v.contentType, authorization } },
    },
    {
      name: "PUT on a unary method",
      request: { ...post(v, `${users}/GetUser`, m(GetUserRequestSchema, { id: seeded.userId })), method: "PUT" },
    },
    { name: "allowed CORS origin", request: getUser(seeded.userId, { origin: "https://app.example" }) },
    // Refused by the request gate before the body is read, on both paths alike.
    { name: "no token", request: withoutToken(getUser(seeded.userId)) },
    { name: "malformed token", request: getUser(seeded.userId, { authorization: "Bearer not.a.jwt" }) },
    { name: "not a bearer token", request: getUser(seeded.userId, { authorization: "Basic dXNlcjpwYXNz" }) },
    {
      name: "token lacking the scope",
      request: post(v, `${users}/CreateUser`, m(CreateUserRequestSchema, { email: `ro-${tag}@example.com`, displayName: "RO" }), {
        authorization: readOnly,
      }),
    },
    {
      name: "no token, malformed body (refused before reading it)",
      request: withoutToken(post(v, `${users}/GetUser`, framed(v, new Uint8Array([0x0a, 0x05])))),
    },
    { name: "other CORS origin", request: getUser(seeded.userId, { origin: "https://evil.example" }) },
  ];
  if (v.protocol !== "connect") {
    // Server streaming (every seeded user, then CreateUser's if it ran), in gRPC's framing.
    const exportUsers = (name: string, headers: Record<string, string> = {}, body = m(ExportUsersRequestSchema, {})): Case => ({
      name,
      generated: true,
      request: post(v, `${users}/ExportUsers`, body, headers),
    });
    const twoMessages = new Uint8Array([...m(ExportUsersRequestSchema, {}), ...m(ExportUsersRequestSchema, {})]);
    cases.push(
      exportUsers("ExportUsers stream"),
      exportUsers("ExportUsers stream, compression accepted", { [acceptEncodingHeader(v)]: "gzip" }),
      exportUsers("ExportUsers deadline already expired", { [timeoutHeader(v)]: "0m" }),
      exportUsers("ExportUsers deadline over the maximum", { [timeoutHeader(v)]: "10M" }),
      exportUsers("ExportUsers unknown compression", { [encodingHeader(v)]: "snappy" }),
      exportUsers("ExportUsers without a request message", {}, new Uint8Array(0)),
      exportUsers("ExportUsers with two request messages", {}, twoMessages),
      exportUsers("ExportUsers truncated envelope", {}, new Uint8Array([0, 0, 0, 0, 9, 1])),
      {
        ...exportUsers("ExportUsers without a token"),
        request: withoutToken(post(v, `${users}/ExportUsers`, m(ExportUsersRequestSchema, {}))),
      },
      exportUsers("ExportUsers with a bad token", { authorization: "Bearer x" }),
    );
    const payload = encode(v, GetUserRequestSchema, { id: seeded.userId });
    cases.push(
      { name: "envelope longer than the body", request: post(v, `${users}/GetUser`, envelope(new Uint8Array(10), 0, 100)) },
      { name: "two envelopes", request: post(v, `${users}/GetUser`, new Uint8Array([...envelope(payload), ...envelope(payload)])) },
      { name: "compressed flag without an encoding", request: post(v, `${users}/GetUser`, envelope(payload, 1)) },
      { name: "envelope claiming over 4 MiB", request: post(v, `${users}/GetUser`, envelope(new Uint8Array(8), 0, fourMiB + 1)) },
      { name: "half an envelope header", request: post(v, `${users}/GetUser`, new Uint8Array([0, 0, 0])) },
      { name: "trailer flag on a request", request: post(v, `${users}/GetUser`, envelope(payload, 0x80)) },
    );
  } else {
    cases.push(
      {
        name: "content-length larger than the body limit (refused unread)",
        http1Only: true,
        request: post(v, `${users}/GetUser`, new Uint8Array(16), { "content-length": String(fourMiB + 1) }),
      },
      {
        name: "Connect GET (cacheable read)",
        request: {
          method: "GET",
          path: `${users}/GetUser?connect=v1&encoding=${v.binary ? "proto" : "json"}&base64=1&message=${Buffer.from(encode(v, GetUserRequestSchema, { id: seeded.userId })).toString("base64url")}`,
          headers: { authorization },
        },
      },
      {
        name: "content type with charset",
        request: {
          ...getUser(seeded.userId),
          headers: { "content-type": v.binary ? "application/proto" : "application/json; charset=utf-8", authorization },
        },
      },
      {
        name: "streaming content type on a unary method",
        request: {
          ...getUser(seeded.userId),
          headers: { "content-type": v.binary ? "application/connect+proto" : "application/connect+json", authorization },
        },
      },
    );
  }
  return cases;
}

/** Cases that need maintenance mode switched on (config). */
export function maintenanceCorpus(v: Variant, seeded: Seeded): Case[] {
  return [
    {
      name: "CreateUser in maintenance (unavailable, RetryInfo, retry-after)",
      request: post(v, `${users}/CreateUser`, framed(v, encode(v, CreateUserRequestSchema, { email: "m@example.com", displayName: "M" }))),
    },
    {
      name: "GetUser in maintenance (reads work)",
      request: post(v, `${users}/GetUser`, framed(v, encode(v, GetUserRequestSchema, { id: seeded.userId }))),
    },
  ];
}

/** Calls over their rate limit (health: public, so nothing else in the gate refuses them). */
export function rateLimitedCorpus(v: Variant): Case[] {
  return [
    {
      name: "Health/Check over its limit (resource_exhausted, RetryInfo, retry-after)",
      request: post(v, `${health}/Check`, framed(v, encode(v, HealthCheckRequestSchema, {}))),
    },
    { name: "Health/List over its limit", request: post(v, `${health}/List`, framed(v, encode(v, HealthListRequestSchema, {}))) },
  ];
}
