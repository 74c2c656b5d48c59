import { describe } from "vitest";
import { serviceTable } from "../../src/service-table.ts";
import { Health } from "../../src/gen/grpc/health/v1/health_pb.ts";
import { badInputContract } from "../shared/bad-input-contract.ts";
import { badInputMatrix } from "../shared/bad-input-matrix.ts";
import { wireResponseOf } from "../shared/wire-status.ts";
import { workerVariants } from "../shared/wire-variants.ts";
import { workerFetch, workerOrigin } from "./worker-fetch.ts";

describe("bad input to the Worker (Connect, gRPC-Web)", () => {
  badInputContract((path, init) => workerFetch(workerOrigin + path, init));
});

badInputMatrix("bad-input matrix, Worker", {
  services: [...serviceTable.map((s) => s.service), Health],
  variants: workerVariants,
  // The Worker accepts no request compression: connect-es has defaults only in connect-node.
  encodings: [],
  open: () => ({
    send: async ({ path, headers, body }) => wireResponseOf(await workerFetch(workerOrigin + path, { method: "POST", headers, body })),
    close() {},
  }),
});
