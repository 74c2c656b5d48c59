import { afterAll, beforeAll, describe } from "vitest";
import { allowedOrigin, corsAuthorizationContract } from "../shared/cors-authorization-contract.ts";
import { type TestAuth, createTestAuth } from "../shared/test-auth.ts";
import { startTestServer } from "./test-server.ts";

let server: Awaited<ReturnType<typeof startTestServer>>;
let auth: TestAuth;
beforeAll(async () => {
  auth = await createTestAuth();
  server = await startTestServer({}, { CONFIG_CORS_ALLOWED_ORIGINS: allowedOrigin, ...auth.vars });
});
afterAll(() => server.stop());

describe("CORS with bearer tokens (Node)", () => {
  corsAuthorizationContract(
    (method, headers) =>
      fetch(`${server.url}/acme.user.v1.UserService/ListUsers`, { method, headers, ...(method === "POST" ? { body: "{}" } : {}) }),
    () => auth.bearer,
  );
});
