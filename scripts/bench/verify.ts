import http from "node:http";
import http2 from "node:http2";
import { fromBinary, fromJsonString } from "@bufbuild/protobuf";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { type GetUserResponse, GetUserResponseSchema } from "../../src/gen/acme/user/v1/user_pb.ts";
import type { UserFixture } from "./server-options.ts";
import type { WireRequest } from "./wire-requests.ts";

/** What a correct answer to a row's request is: its own bytes back (raw anchors) or the user. */
export type Expectation = { kind: "echo" } | { kind: "user"; user: UserFixture };

type Headers = Record<string, string | string[] | undefined>;

interface Exchange {
  status: number;
  headers: Headers;
  body: Buffer;
  trailers: Headers;
}

function sendH1(port: number, request: WireRequest): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, method: "POST", path: request.path, headers: request.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), trailers: res.trailers }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(request.body);
  });
}

function sendH2(port: number, request: WireRequest): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on("error", reject);
    const stream = session.request({ ":method": "POST", ":path": request.path, ...request.headers });
    let headers: Headers = {};
    let trailers: Headers = {};
    const chunks: Buffer[] = [];
    stream.on("response", (h) => (headers = h));
    stream.on("trailers", (t) => (trailers = t));
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("error", reject);
    stream.on("end", () => {
      session.close();
      resolve({ status: Number(headers[":status"]), headers, body: Buffer.concat(chunks), trailers });
    });
    stream.end(request.body);
  });
}

/** Splits length-prefixed frames; throws on a truncated one. */
function frames(body: Buffer): { flags: number; data: Buffer }[] {
  const out: { flags: number; data: Buffer }[] = [];
  for (let at = 0; at < body.length; ) {
    if (body.length - at < 5) throw new Error("truncated frame header");
    const length = body.readUInt32BE(at + 1);
    if (body.length - at - 5 < length) throw new Error("truncated frame");
    out.push({ flags: body[at]!, data: body.subarray(at + 5, at + 5 + length) });
    at += 5 + length;
  }
  return out;
}

function grpcStatus(exchange: Exchange, trailerText?: string): string | undefined {
  const fromText = trailerText && /^grpc-status:\s*(\d+)/im.exec(trailerText)?.[1];
  const status = fromText || exchange.trailers["grpc-status"] || exchange.headers["grpc-status"];
  return status === undefined ? undefined : String(status);
}

function decodeResponse(request: WireRequest, exchange: Exchange): GetUserResponse {
  switch (request.protocol) {
    case "connect-json":
      return fromJsonString(GetUserResponseSchema, exchange.body.toString());
    case "connect-proto":
      return fromBinary(GetUserResponseSchema, exchange.body);
    case "grpc":
    case "grpc-web": {
      const all = frames(exchange.body);
      const trailer = all.find((frame) => frame.flags & 0x80);
      const status = grpcStatus(exchange, trailer?.data.toString());
      if (status !== "0") {
        const message = exchange.trailers["grpc-message"] ?? exchange.headers["grpc-message"] ?? trailer?.data.toString();
        throw new Error(`grpc-status ${status ?? "missing"} (${String(message ?? "")})`);
      }
      const messages = all.filter((frame) => !(frame.flags & 0x80));
      if (messages.length !== 1) throw new Error(`${messages.length} response messages, expected 1`);
      return fromBinary(GetUserResponseSchema, messages[0]!.data);
    }
  }
}

function check(request: WireRequest, exchange: Exchange, expectation: Expectation): void {
  if (exchange.status !== 200) {
    throw new Error(`HTTP ${exchange.status}: ${exchange.body.toString().slice(0, 300)}`);
  }
  if (expectation.kind === "echo") {
    const same =
      request.protocol === "connect-json"
        ? JSON.stringify(JSON.parse(exchange.body.toString())) === JSON.stringify(JSON.parse(request.body.toString()))
        : exchange.body.equals(request.body);
    if (!same) throw new Error("the echo differs from the request");
    return;
  }
  const { user } = decodeResponse(request, exchange);
  const want = expectation.user;
  const got = user && {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    createTimeMs: user.createTime && timestampMs(user.createTime),
  };
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new Error(`wrong user: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
}

/**
 * Sends `request` once, byte for byte what h2load will send, and throws unless the
 * answer is correct: gRPC and gRPC-Web failures arrive as HTTP 200, so h2load's status
 * counts alone would happily measure a server answering errors.
 */
export async function verifyRequest(port: number, h1: boolean, request: WireRequest, expectation: Expectation): Promise<void> {
  const exchange = await (h1 ? sendH1(port, request) : sendH2(port, request));
  try {
    check(request, exchange, expectation);
  } catch (error) {
    throw new Error(`${request.protocol} over ${h1 ? "HTTP/1.1" : "h2c"} answered wrongly: ${(error as Error).message}`);
  }
}
