import { expect, it } from "vitest";
import { uniqueEmail } from "./user-service-contract.ts";

/** Sends one HTTP request to the server under test (path relative to its base URL). */
export type SendRequest = (path: string, init: RequestInit) => Promise<Response>;

const createUser = "/acme.user.v1.UserService/CreateUser";
const getUser = "/acme.user.v1.UserService/GetUser";
const fourMiB = 4 * 1024 * 1024;

/** A gRPC/gRPC-Web length-prefixed frame; `declaredLength` may lie on purpose. */
export function envelope(payload: Uint8Array, declaredLength = payload.length, flags = 0): Uint8Array {
  const frame = new Uint8Array(5 + payload.length);
  new DataView(frame.buffer).setUint32(1, declaredLength);
  frame[0] = flags;
  frame.set(payload, 5);
  return frame;
}

/** Protobuf bytes that end in the middle of field 1 (a length of 5, then nothing). */
export const truncatedProtobuf = new Uint8Array([0x0a, 0x05]);

/** Field 1 (email) holding bytes that are not UTF-8. */
export const invalidUtf8Protobuf = new Uint8Array([0x0a, 0x02, 0xff, 0xfe]);

/** The gRPC status of a gRPC-Web response: from its headers or its trailer frame. */
export async function grpcWebStatus(response: Response): Promise<{ code: number; message: string }> {
  const body = new Uint8Array(await response.arrayBuffer());
  const fields = new Map<string, string>();
  response.headers.forEach((value, key) => fields.set(key, value));
  for (let offset = 0; offset + 5 <= body.length; ) {
    const length = new DataView(body.buffer, body.byteOffset + offset + 1, 4).getUint32(0);
    if ((body[offset] ?? 0) & 0x80) {
      const text = new TextDecoder().decode(body.subarray(offset + 5, offset + 5 + length));
      for (const line of text.split("\r\n")) {
        const colon = line.indexOf(":");
        if (colon > 0) fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
    }
    offset += 5 + length;
  }
  return {
    code: Number(fields.get("grpc-status") ?? NaN),
    message: decodeURIComponent(fields.get("grpc-message") ?? ""),
  };
}

function connectPost(send: SendRequest, path: string, contentType: string, body: RequestInit["body"]) {
  return send(path, { method: "POST", headers: { "content-type": contentType }, body });
}

function grpcWebPost(send: SendRequest, path: string, body: Uint8Array) {
  return send(path, { method: "POST", headers: { "content-type": "application/grpc-web+proto" }, body });
}

async function connectError(response: Response): Promise<{ code: string; message: string }> {
  return (await response.json()) as { code: string; message: string };
}

/**
 * Bad requests over Connect and gRPC-Web (the protocols both runtimes serve): each gets
 * the right code, no stack trace, and the server keeps serving.
 */
export function badInputContract(send: SendRequest): void {
  it("should answer a malformed protobuf body with invalid_argument (Connect)", async () => {
    for (const body of [truncatedProtobuf, invalidUtf8Protobuf]) {
      const response = await connectPost(send, createUser, "application/proto", body);
      expect(response.status).toBe(400);
      expect((await connectError(response)).code).toBe("invalid_argument");
    }
  });

  it("should answer a malformed protobuf message with invalid_argument (gRPC-Web)", async () => {
    for (const body of [truncatedProtobuf, invalidUtf8Protobuf]) {
      const response = await grpcWebPost(send, createUser, envelope(body));
      expect((await grpcWebStatus(response)).code).toBe(3);
    }
  });

  it("should answer a malformed message to a streaming method with invalid_argument (gRPC-Web)", async () => {
    // Streamed requests are parsed inside the interceptor chain, unlike unary ones.
    const response = await grpcWebPost(send, "/acme.user.v1.UserService/ExportUsers", envelope(truncatedProtobuf));
    const status = await grpcWebStatus(response);
    expect(status.code).toBe(3);
    expect(status.message).toMatch(/^parse binary: /);
  });

  it("should answer invalid JSON with invalid_argument", async () => {
    const response = await connectPost(send, createUser, "application/json", '{"email": ');
    expect(response.status).toBe(400);
    const error = await connectError(response);
    expect(error.code).toBe("invalid_argument");
    expect(error.message).not.toMatch(/\n\s+at /);
  });

  it("should answer an unsupported content type with 415", async () => {
    const response = await connectPost(send, createUser, "text/plain", "{}");
    expect(response.status).toBe(415);
    await response.body?.cancel();
  });

  it("should answer an unknown method or path with 404", async () => {
    for (const path of ["/acme.user.v1.UserService/DeleteUser", "/nope"]) {
      const response = await connectPost(send, path, "application/json", "{}");
      expect(response.status).toBe(404);
      await response.body?.cancel();
    }
  });

  it("should answer a body over 4 MiB with resource_exhausted", async () => {
    const displayName = "x".repeat(fourMiB);
    const json = JSON.stringify({ email: uniqueEmail(), displayName });
    const response = await connectPost(send, createUser, "application/json", json);
    expect((await connectError(response)).code).toBe("resource_exhausted");

    // A gRPC-Web frame that only claims to be large is refused before it is read.
    const claimed = await grpcWebPost(send, createUser, envelope(new Uint8Array(8), fourMiB + 1));
    expect((await grpcWebStatus(claimed)).code).toBe(8);
  });

  it("should answer an envelope whose length prefix lies with invalid_argument", async () => {
    const response = await grpcWebPost(send, getUser, envelope(new Uint8Array(10), 100));
    const status = await grpcWebStatus(response);
    expect(status.code).toBe(3);
    expect(status.message).toContain("incomplete envelope");
  });

  it("should refuse a deadline over the 5-minute maximum with invalid_argument", async () => {
    const response = await send(getUser, {
      method: "POST",
      headers: { "content-type": "application/json", "connect-timeout-ms": String(10 * 60 * 1000) },
      body: JSON.stringify({ id: crypto.randomUUID() }),
    });
    expect(response.status).toBe(400);
    expect((await connectError(response)).code).toBe("invalid_argument");
  });

  it("should keep serving after bad input", async () => {
    const response = await connectPost(
      send,
      createUser,
      "application/json",
      JSON.stringify({ email: uniqueEmail("after"), displayName: "Still here" }),
    );
    expect(response.status).toBe(200);
    expect(((await response.json()) as { user: { displayName: string } }).user.displayName).toBe("Still here");
  });
}
