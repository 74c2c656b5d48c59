import { describe } from "vitest";
import { badInputContract } from "../shared/bad-input-contract.ts";
import { workerFetch, workerOrigin } from "./worker-fetch.ts";

describe("bad input to the Worker (Connect, gRPC-Web)", () => {
  badInputContract((path, init) => workerFetch(workerOrigin + path, init));
});
