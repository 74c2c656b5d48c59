import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueEmail } from "../shared/user-service-contract.ts";
import { bufCurl } from "./buf-curl.ts";
import { startTestServer } from "./test-server.ts";

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const protocols: Record<string, string[]> = {
  connect: [],
  grpc: ["--http2-prior-knowledge"],
  grpcweb: [],
};

for (const [protocol, extra] of Object.entries(protocols)) {
  describe(`buf curl --protocol ${protocol}`, () => {
    it("should create, get and export users", async () => {
      const email = uniqueEmail(protocol);
      const [created] = await bufCurl(server.url, protocol, "CreateUser", { email, displayName: "Buf" }, extra);
      expect(created?.user.email).toBe(email);
      const [got] = await bufCurl(server.url, protocol, "GetUser", { id: created?.user.id }, extra);
      expect(got?.user).toEqual(created?.user);
      const exported = await bufCurl(server.url, protocol, "ExportUsers", {}, extra);
      expect(exported.at(-1)?.user).toEqual(created?.user);
    });

    it("should report not_found with a non-zero exit", async () => {
      const failure = await bufCurl(server.url, protocol, "GetUser", { id: crypto.randomUUID() }, extra).catch((error) => error);
      expect(failure).toBeInstanceOf(Error);
      expect(String(failure.stderr)).toContain("not_found");
    });
  });
}
