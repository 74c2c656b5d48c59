import type { Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { describe } from "vitest";
import { healthContract } from "../shared/health-contract.ts";
import { serviceContracts } from "../shared/service-contracts.ts";
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

// Every service of the wiring table, by its contract (test/shared/service-contracts.ts);
// OrderService calls UserService through the Worker's loopback binding.
for (const { service, run } of serviceContracts()) {
  for (const [name, makeTransport] of Object.entries(transports)) {
    describe(`${service.name} in workerd over ${name}`, () => {
      run(makeTransport);
    });
  }
}

for (const [name, makeTransport] of Object.entries(transports)) {
  describe(`grpc.health.v1.Health in workerd over ${name}`, () => {
    healthContract(makeTransport);
  });
}
