import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueEmail } from "../shared/user-service-contract.ts";
import { bufCurl } from "./buf-curl.ts";
import { startWranglerDev } from "./wrangler-dev-process.ts";

const state = mkdtempSync(join(tmpdir(), "connect-template-wrangler-"));
let dev: Awaited<ReturnType<typeof startWranglerDev>>;
let baseUrl = "";

beforeAll(async () => {
  dev = await startWranglerDev(state);
  baseUrl = dev.url;
}, 60_000);

afterAll(async () => {
  await dev?.stop();
  rmSync(state, { recursive: true, force: true });
});

describe("wrangler dev with local D1", () => {
  for (const protocol of ["connect", "grpcweb"]) {
    it(`should serve buf curl over ${protocol}, streams included`, async () => {
      const email = uniqueEmail(protocol);
      const [created] = await bufCurl(baseUrl, protocol, "CreateUser", { email, displayName: "Edge" });
      expect(created?.user.email).toBe(email);
      const exported = await bufCurl(baseUrl, protocol, "ExportUsers", {});
      expect(exported.at(-1)?.user).toEqual(created?.user);
    });
  }

  it("should let OrderService call UserService through the Worker's loopback binding", async () => {
    const [created] = await bufCurl(baseUrl, "connect", "CreateUser", { email: uniqueEmail("order"), displayName: "O" });
    const items = [{ sku: "BOOK-1", quantity: 2 }];
    const [response] = await bufCurl(baseUrl, "grpcweb", "CreateOrder", { userId: created?.user.id, items }, [], "acme.order.v1.OrderService");
    expect(response?.order).toMatchObject({ userId: created?.user.id, items });
  });
});
