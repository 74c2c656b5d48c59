import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueEmail } from "../shared/user-service-contract.ts";
import { startTestServer } from "./test-server.ts";

const run = promisify(execFile);

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

/** `buf curl` (a Go client, not connect-es) with the schema compiled from proto/. */
async function bufCurl(protocol: string, method: string, body: object, extra: string[] = []) {
  const { stdout } = await run("buf", [
    "curl",
    "--schema",
    "proto",
    "--protocol",
    protocol,
    ...extra,
    "--data",
    JSON.stringify(body),
    `${server.url}/acme.user.v1.UserService/${method}`,
  ]);
  // Streams print one JSON document per message.
  return stdout
    .trim()
    .split(/\n(?=\{)/)
    .map((doc) => JSON.parse(doc) as Record<string, any>);
}

const protocols: Record<string, string[]> = {
  connect: [],
  grpc: ["--http2-prior-knowledge"],
  grpcweb: [],
};

for (const [protocol, extra] of Object.entries(protocols)) {
  describe(`buf curl --protocol ${protocol}`, () => {
    it("should create, get and export users", async () => {
      const email = uniqueEmail(protocol);
      const [created] = await bufCurl(protocol, "CreateUser", { email, displayName: "Buf" }, extra);
      expect(created?.user.email).toBe(email);
      const [got] = await bufCurl(protocol, "GetUser", { id: created?.user.id }, extra);
      expect(got?.user).toEqual(created?.user);
      const exported = await bufCurl(protocol, "ExportUsers", {}, extra);
      expect(exported.at(-1)?.user).toEqual(created?.user);
    });

    it("should report not_found with a non-zero exit", async () => {
      const failure = await bufCurl(protocol, "GetUser", { id: "missing" }, extra).catch((error) => error);
      expect(failure).toBeInstanceOf(Error);
      expect(String(failure.stderr)).toContain("not_found");
    });
  });
}
