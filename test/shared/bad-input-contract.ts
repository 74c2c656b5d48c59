import { expect, it } from "vitest";
import { uniqueEmail } from "./user-service-contract.ts";
import { envelope, statusOf, wireResponseOf } from "./wire-status.ts";

export { envelope } from "./wire-status.ts";

/** Sends one HTTP request to the server under test (path relative to its base URL). */
export type SendRequest = (path: string, init: RequestInit) => Promise<Response>;

const createUser = "/acme.user.v1.UserService/CreateUser";
const getUser = "/acme.user.v1.UserService/GetUser";
const fourMiB = 4 * 1024 * 1024;

/** Protobuf bytes that end in the middle of field 1 (a length of 5, then nothing). */
export const truncatedProtobuf = new Uint8Array([0x0a, 0x05]);

/** Field 1 (email) holding bytes that are not UTF-8. */
export const invalidUtf8Protobuf = new Uint8Array([0x0a, 0x02, 0xff, 0xfe]);

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
 * Bad requests over Connect and gRPC-Web (the protocols both runtimes serve) beyond
 * malformed bodies, which the bad-input matrix covers (bad-input-matrix.ts): each gets
 * the right code, and the server keeps serving.
 */
export function badInputContract(send: SendRequest): void {
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
    expect(statusOf("grpc-web", await wireResponseOf(claimed)).code).toBe(8);
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
