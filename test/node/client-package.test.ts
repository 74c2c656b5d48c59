import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { measureClientBundle } from "../../scripts/client-size/main.ts";
import { type TestAuth, createTestAuth } from "../shared/test-auth.ts";
import { startTestServer } from "./test-server.ts";

const run = promisify(execFile);
let server: Awaited<ReturnType<typeof startTestServer>>;
let auth: TestAuth;
beforeAll(async () => {
  auth = await createTestAuth();
  server = await startTestServer({}, auth.vars);
});
afterAll(() => server.stop());

// What another project's code does after `npm install <this template>`: import the
// built JavaScript by package name (Node resolves the package's own name to itself).
const consumer = `
import { createApiClient, fieldViolations, errorInfo, userErrors, authErrors, Code } from "connect-service-template/client";
const results = {};
for (const protocol of ["connect", "grpc-web"]) {
  // A token as a string on one protocol, as an async function (how an app refreshes it) on the other.
  const token = protocol === "connect" ? process.env.TOKEN : async () => process.env.TOKEN;
  const api = createApiClient({ baseUrl: process.env.API, protocol, token });
  const anonymous = createApiClient({ baseUrl: process.env.API, protocol });
  const reader = createApiClient({ baseUrl: process.env.API, protocol, token: () => process.env.READ_TOKEN });
  const email = protocol + "-" + Date.now() + "@example.com";
  const { user } = await api.users.createUser({ email, displayName: "Pkg" });
  const invalid = await api.users.createUser({ email: "nope", displayName: "Pkg" }).catch((e) => e);
  const taken = await api.users.createUser({ email, displayName: "Again" }).catch((e) => e);
  const listed = await api.users.listUsers({ pageSize: 100 });
  const noToken = await anonymous.users.listUsers({}).catch((e) => e);
  const readOnly = await reader.users.createUser({ email: "r-" + email, displayName: "Reader" }).catch((e) => e);
  results[protocol] = {
    listed: listed.users.some((u) => u.email === email),
    noToken: { code: Code[noToken.code], tokenInvalid: authErrors.isTokenInvalid(noToken) },
    readOnly: { code: Code[readOnly.code], scopeMissing: authErrors.isScopeMissing(readOnly), readerCanList: (await reader.users.listUsers({})).users.length > 0 },
    created: user.email === email,
    violations: fieldViolations(invalid),
    invalidCode: invalid.code === Code.InvalidArgument,
    taken: userErrors.isEmailTaken(taken),
    metadata: errorInfo(taken)?.metadata,
  };
}
console.log(JSON.stringify(results));
`;

describe("the client package (connect-service-template/client)", () => {
  it("should work from Node through its exports entry, over Connect and gRPC-Web, sending the token it is given", async () => {
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", consumer], {
      cwd: new URL("../..", import.meta.url).pathname,
      env: { ...process.env, API: server.url, TOKEN: await auth.mint(), READ_TOKEN: await auth.mint({ scopes: ["users:read"] }) },
    });
    const results = JSON.parse(stdout) as Record<
      string,
      { created: boolean; violations: unknown; invalidCode: boolean; taken: boolean; metadata: Record<string, string> }
    >;
    for (const protocol of ["connect", "grpc-web"]) {
      expect(results[protocol]).toMatchObject({
        created: true,
        listed: true,
        noToken: { code: "Unauthenticated", tokenInvalid: true },
        readOnly: { code: "PermissionDenied", scopeMissing: true, readerCanList: true },
        invalidCode: true,
        violations: [{ field: "email", message: "must be a valid email address" }],
        taken: true,
      });
      expect(results[protocol]?.metadata.email).toMatch(/@example\.com$/);
    }
  });

  it("should keep a one-service browser bundle small", async () => {
    const { gzipBytes } = await measureClientBundle();
    expect(gzipBytes / 1024).toBeLessThan(40);
  });
});
