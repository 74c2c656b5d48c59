import type { Transport } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe } from "vitest";
import { healthContract } from "../shared/health-contract.ts";
import { orderServiceContract } from "../shared/order-service-contract.ts";
import { userServiceContract } from "../shared/user-service-contract.ts";
import { startTestServer } from "./test-server.ts";

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

// Every protocol over every HTTP version it allows, all against one port.
const transports: Record<string, (baseUrl: string) => Transport> = {
  "Connect JSON, HTTP/1.1": (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "1.1" }),
  "Connect binary, HTTP/1.1": (baseUrl) =>
    createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: true }),
  "Connect JSON, HTTP/2": (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "2" }),
  "Connect binary, HTTP/2": (baseUrl) =>
    createConnectTransport({ baseUrl, httpVersion: "2", useBinaryFormat: true }),
  "gRPC, HTTP/2": (baseUrl) => createGrpcTransport({ baseUrl }),
  "gRPC-Web, HTTP/1.1": (baseUrl) => createGrpcWebTransport({ baseUrl, httpVersion: "1.1" }),
  "gRPC-Web, HTTP/2": (baseUrl) => createGrpcWebTransport({ baseUrl, httpVersion: "2" }),
};

for (const [name, makeTransport] of Object.entries(transports)) {
  describe(`UserService over ${name}`, () => {
    let transport: Transport | undefined;
    userServiceContract(() => (transport ??= makeTransport(server.url)));
  });
}

for (const name of ["Connect binary, HTTP/1.1", "gRPC, HTTP/2", "gRPC-Web, HTTP/1.1"]) {
  describe(`OrderService over ${name}`, () => {
    let transport: Transport | undefined;
    orderServiceContract(() => (transport ??= transports[name]!(server.url)));
  });
}

for (const [name, makeTransport] of Object.entries(transports)) {
  describe(`grpc.health.v1.Health over ${name}`, () => {
    let transport: Transport | undefined;
    healthContract(() => (transport ??= makeTransport(server.url)));
  });
}
