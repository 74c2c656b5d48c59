import { codeFromString } from "@connectrpc/connect/protocol-connect";

/** One raw HTTP POST as a test builds it, byte for byte. */
export interface WireRequest {
  path: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** What came back: status, headers, body bytes and (HTTP/2 only) trailers. */
export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
  trailers: Record<string, string>;
}

/** How an RPC's messages and status travel: Connect unary, Connect streaming, gRPC, gRPC-Web. */
export type Framing = "connect-unary" | "connect-stream" | "grpc" | "grpc-web";

/** An RPC's outcome as the client sees it: the code (gRPC numbering, 0 = OK) and the message. */
export interface WireStatus {
  code: number;
  message: string;
}

/** A gRPC/gRPC-Web/Connect streaming length-prefixed frame; `declaredLength` may lie on purpose. */
export function envelope(payload: Uint8Array, declaredLength = payload.length, flags = 0): Uint8Array {
  const frame = new Uint8Array(5 + payload.length);
  frame[0] = flags;
  new DataView(frame.buffer).setUint32(1, declaredLength);
  frame.set(payload, 5);
  return frame;
}

/** A fetch Response as a WireResponse (fetch has no trailers: gRPC-Web carries them in the body). */
export async function wireResponseOf(response: Response): Promise<WireResponse> {
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body: new Uint8Array(await response.arrayBuffer()),
    trailers: {},
  };
}

/**
 * The status of a raw response, read the way each protocol defines it (written here
 * rather than taken from connect, so the tests do not check connect with itself).
 */
export function statusOf(framing: Framing, response: WireResponse): WireStatus {
  switch (framing) {
    case "connect-unary":
      return response.status === 200 ? { code: 0, message: "" } : connectError(response.body, response.status);
    case "connect-stream": {
      if (response.status !== 200) return connectError(response.body, response.status);
      const end = framesOf(response.body).find((frame) => frame.flags & 0x02);
      if (end === undefined) return { code: Number.NaN, message: "no end-of-stream message" };
      const { error } = JSON.parse(text(end.data)) as { error?: unknown };
      return error === undefined ? { code: 0, message: "" } : connectErrorJson(error, response.status);
    }
    case "grpc":
      return grpcStatus({ ...response.headers, ...response.trailers });
    case "grpc-web": {
      const fields = { ...response.headers };
      const trailer = framesOf(response.body).find((frame) => frame.flags & 0x80);
      for (const line of trailer ? text(trailer.data).split("\r\n") : []) {
        const colon = line.indexOf(":");
        if (colon > 0) fields[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      return grpcStatus(fields);
    }
  }
}

function grpcStatus(fields: Record<string, string>): WireStatus {
  const status = fields["grpc-status"];
  return { code: status === undefined ? Number.NaN : Number(status), message: decodeURIComponent(fields["grpc-message"] ?? "") };
}

function connectError(body: Uint8Array, httpStatus: number): WireStatus {
  try {
    return connectErrorJson(JSON.parse(text(body)), httpStatus);
  } catch {
    return { code: Number.NaN, message: `HTTP ${httpStatus} without a Connect error body` };
  }
}

function connectErrorJson(json: unknown, httpStatus: number): WireStatus {
  const { code, message } = json as { code?: string; message?: string };
  const parsed = code === undefined ? undefined : codeFromString(code);
  return { code: parsed ?? Number.NaN, message: message ?? `HTTP ${httpStatus}, code ${String(code)}` };
}

/** The frames of an enveloped body (a partial last frame is ignored). */
export function framesOf(body: Uint8Array): { flags: number; data: Uint8Array }[] {
  const frames: { flags: number; data: Uint8Array }[] = [];
  for (let offset = 0; offset + 5 <= body.length; ) {
    const length = new DataView(body.buffer, body.byteOffset + offset + 1, 4).getUint32(0);
    frames.push({ flags: body[offset] ?? 0, data: body.subarray(offset + 5, offset + 5 + length) });
    offset += 5 + length;
  }
  return frames;
}

function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}
