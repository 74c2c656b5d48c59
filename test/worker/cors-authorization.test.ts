import { env } from "cloudflare:test";
import { beforeAll, describe } from "vitest";
import worker from "../../src/runtime/worker/index.ts";
import type { WorkerEnv } from "../../src/runtime/worker/worker-env.ts";
import { allowedOrigin, corsAuthorizationContract } from "../shared/cors-authorization-contract.ts";
import { type TestAuth, createTestAuth } from "../shared/test-auth.ts";
import { workerOrigin } from "./worker-fetch.ts";

let auth: TestAuth;
let testEnv: WorkerEnv;
beforeAll(async () => {
  auth = await createTestAuth();
  testEnv = { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: undefined, CONFIG_CORS_ALLOWED_ORIGINS: allowedOrigin, ...auth.vars } as WorkerEnv;
});

describe("CORS with bearer tokens (Worker)", () => {
  corsAuthorizationContract(
    async (method, headers) => {
      const request = new Request(`${workerOrigin}/acme.user.v1.UserService/ListUsers`, {
        method,
        headers,
        ...(method === "POST" ? { body: "{}" } : {}),
      });
      const ctx = { waitUntil() {}, passThroughOnException() {} } as unknown as ExecutionContext;
      return worker.fetch(request as Parameters<typeof worker.fetch>[0], testEnv, ctx);
    },
    () => auth.bearer,
  );
});
