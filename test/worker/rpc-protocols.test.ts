import type { Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { describe } from "vitest";
import { healthContract } from "../shared/health-contract.ts";
import { orderServiceContract } from "../shared/order-service-contract.ts";
import { userServiceContract } from "../shared/user-service-contract.ts";
import { workerFetch, workerOrigin } from "./worker-fetch.ts";

const baseUrl = workerOrigin;
const fetch = workerFetch as typeof globalThis.fetch;

// The protocols a Worker can serve (no trailers, so no native gRPC).
const transports: Record<string, () => Transport> = {
  "Connect JSON": () => createConnectTransport({ baseUrl, fetch }),
  "Connect binary": () => createConnectTransport({ baseUrl, fetch, useBinaryFormat: true }),
  "gRPC-Web binary": () => createGrpcWebTransport({ baseUrl, fetch }),
  "gRPC-Web JSON": () => createGrpcWebTransport({ baseUrl, fetch, useBinaryFormat: false }),
};

for (const [name, makeTransport] of Object.entries(transports)) {
  describe(`UserService in workerd over ${name}`, () => {
    userServiceContract(makeTransport);
  });
}

describe("OrderService in workerd, calling UserService through the Worker's loopback binding", () => {
  orderServiceContract(transports["Connect binary"]!);
});

for (const [name, makeTransport] of Object.entries(transports)) {
  describe(`grpc.health.v1.Health in workerd over ${name}`, () => {
    healthContract(makeTransport);
  });
}
