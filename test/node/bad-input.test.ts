import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { badInputContract, envelope } from "../shared/bad-input-contract.ts";
import { badInputMatrix } from "../shared/bad-input-matrix.ts";
import { nodeVariants } from "../shared/wire-variants.ts";
import { serviceTable } from "../../src/service-table.ts";
import { Health } from "../../src/gen/grpc/health/v1/health_pb.ts";
import * as reflectionV1 from "../../src/gen/grpc/reflection/v1/reflection_pb.ts";
import * as reflectionV1alpha from "../../src/gen/grpc/reflection/v1alpha/reflection_pb.ts";
import { grpcStatusOf, http2Post } from "./http2-post.ts";
import { startTestServer } from "./test-server.ts";
import { openWireConnection } from "./wire-connection.ts";

let server: Awaited<ReturnType<typeof startTestServer>>;
let stock: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
  stock = await startTestServer({}, { UNARY_FAST_PATH: "off" });
});
afterAll(async () => {
  await server.stop();
  await stock.stop();
});

// What the Node runtime serves: the wiring table's services, health and server reflection (bidi, so h2c only).
const services = [...serviceTable.map((s) => s.service), Health, reflectionV1.ServerReflection, reflectionV1alpha.ServerReflection];
const encodings = ["gzip", "br"]; // connect-node's defaults
badInputMatrix("bad-input matrix, fast path", {
  services,
  variants: nodeVariants,
  encodings,
  open: (variant) => openWireConnection(server.url, variant),
});
badInputMatrix("bad-input matrix, stock connect-node", {
  services,
  variants: nodeVariants,
  encodings,
  open: (variant) => openWireConnection(stock.url, variant),
});

describe("bad input over HTTP/1.1 (Connect, gRPC-Web)", () => {
  badInputContract((path, init) => {
    const headers = new Headers(init?.headers);
    if (!headers.has("authorization")) headers.set("authorization", server.auth.bearer);
    return fetch(server.url + path, { ...init, headers });
  });
});

describe("bad input over gRPC (HTTP/2)", () => {
  const grpc = { "content-type": "application/grpc+proto", te: "trailers" };
  const createUser = "/acme.user.v1.UserService/CreateUser";

  // Malformed messages and lying envelopes: the matrix above.
  it("should refuse a message over 4 MiB with RESOURCE_EXHAUSTED", async () => {
    const result = await http2Post(
      server.url,
      createUser,
      { ...grpc, authorization: server.auth.bearer },
      envelope(new Uint8Array(8), 4 * 1024 * 1024 + 1),
    );
    expect(grpcStatusOf(result)).toBe(8);
  });

  it("should answer an unknown method with 404, which gRPC clients read as UNIMPLEMENTED", async () => {
    const result = await http2Post(server.url, "/acme.user.v1.UserService/Nope", grpc, envelope(new Uint8Array()));
    expect(result.status).toBe(404);
  });
});

describe("static files", () => {
  it("should answer a malformed percent-encoded path with 400 and keep serving", async () => {
    const response = await fetch(`${server.url}/%E0%A4%A`);
    expect(response.status).toBe(400);
    await response.body?.cancel();
    expect((await fetch(`${server.url}/`)).status).toBe(200);
  });
});

describe("connection sniffing", () => {
  it("should serve HTTP/2 when the preface arrives in pieces", async () => {
    const { port } = new URL(server.url);
    const socket = net.connect(Number(port), "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.setNoDelay(true);
    const reply = new Promise<Buffer>((resolve) => socket.once("data", resolve));
    socket.write("PRI * HTTP/2.0\r\n");
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Rest of the preface, then an empty SETTINGS frame.
    socket.write(Buffer.concat([Buffer.from("\r\nSM\r\n\r\n"), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]));
    const first = await reply;
    expect(first[3]).toBe(4); // the server's SETTINGS frame
    socket.destroy();
  });

  it("should answer HTTP/1.1 garbage with 400 and keep serving", async () => {
    const { port } = new URL(server.url);
    const socket = net.connect(Number(port), "127.0.0.1");
    const reply = new Promise<string>((resolve) => socket.once("data", (data) => resolve(data.toString())));
    socket.write("NOT HTTP AT ALL\r\n\r\n");
    expect(await reply).toMatch(/^HTTP\/1\.1 400/);
    socket.destroy();
    const response = await fetch(`${server.url}/acme.user.v1.UserService/ListUsers`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: server.auth.bearer },
      body: "{}",
    });
    expect(response.status).toBe(200);
    await response.body?.cancel();
  });
});
