import type { Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe } from "vitest";
import { authContract } from "../shared/auth-contract.ts";
import { healthContract } from "../shared/health-contract.ts";
import { serviceContracts } from "../shared/service-contracts.ts";
import { withAuthorization } from "../shared/test-auth.ts";
import { testAuth } from "./test-auth-key.ts";
import { startTestServer } from "./test-server.ts";

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

// Every protocol over every HTTP version it allows, all against one port; calls carry
// `authorization` (default: a token with every scope).
type MakeTransport = (baseUrl: string, authorization?: string) => Transport;
const auth = (authorization: string | undefined) => (authorization ? [withAuthorization(authorization)] : []);
const transports: Record<string, MakeTransport> = {
  "Connect JSON, HTTP/1.1": (baseUrl, a = testAuth.bearer) =>
    createConnectTransport({ baseUrl, httpVersion: "1.1", interceptors: auth(a) }),
  "Connect binary, HTTP/1.1": (baseUrl, a = testAuth.bearer) =>
    createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: true, interceptors: auth(a) }),
  "Connect JSON, HTTP/2": (baseUrl, a = testAuth.bearer) => createConnectTransport({ baseUrl, httpVersion: "2", interceptors: auth(a) }),
  "Connect binary, HTTP/2": (baseUrl, a = testAuth.bearer) =>
    createConnectTransport({ baseUrl, httpVersion: "2", useBinaryFormat: true, interceptors: auth(a) }),
  "gRPC, HTTP/2": (baseUrl, a = testAuth.bearer) => createGrpcTransport({ baseUrl, interceptors: auth(a) }),
  "gRPC-Web, HTTP/1.1": (baseUrl, a = testAuth.bearer) => createGrpcWebTransport({ baseUrl, httpVersion: "1.1", interceptors: auth(a) }),
  "gRPC-Web, HTTP/2": (baseUrl, a = testAuth.bearer) => createGrpcWebTransport({ baseUrl, httpVersion: "2", interceptors: auth(a) }),
};

for (const [name, makeTransport] of Object.entries(transports)) {
  describe(`auth over ${name}`, () => {
    // Without a token a transport must send none: `authorization` undefined means anonymous here.
    authContract(
      () => testAuth,
      (authorization) => makeTransport(server.url, authorization ?? ""),
    );
  });
}

// Every service of the wiring table, by its contract (test/shared/service-contracts.ts).
for (const { service, run } of serviceContracts()) {
  for (const [name, makeTransport] of Object.entries(transports)) {
    describe(`${service.name} over ${name}`, () => {
      let transport: Transport | undefined;
      run(() => (transport ??= makeTransport(server.url)));
    });
  }
}

for (const [name, makeTransport] of Object.entries(transports)) {
  describe(`grpc.health.v1.Health over ${name}`, () => {
    let transport: Transport | undefined;
    healthContract(() => (transport ??= makeTransport(server.url)));
  });
}
