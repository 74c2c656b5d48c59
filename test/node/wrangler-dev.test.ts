import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOtlpReceiver } from "../otlp-receiver.ts";
import { uniqueEmail } from "../shared/user-service-contract.ts";
import { bufCurl } from "./buf-curl.ts";
import { startWranglerDev } from "./wrangler-dev-process.ts";

const state = mkdtempSync(join(tmpdir(), "connect-template-wrangler-"));
let dev: Awaited<ReturnType<typeof startWranglerDev>>;
let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
let baseUrl = "";

// Traced, so the bundle wrangler builds (its [alias] entries in wrangler.toml included)
// is shown to export spans with otel-cf-workers, as a deployed Worker would.
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  dev = await startWranglerDev(state, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: "wrangler-dev" });
  baseUrl = dev.url;
}, 60_000);

afterAll(async () => {
  await dev?.stop();
  await receiver?.close();
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
    const [response] = await bufCurl(
      baseUrl,
      "grpcweb",
      "CreateOrder",
      { userId: created?.user.id, items },
      [],
      "acme.order.v1.OrderService",
    );
    expect(response?.order).toMatchObject({ userId: created?.user.id, items });
  });

  it("should export the RPC's span to the OTLP endpoint", async () => {
    const email = uniqueEmail("traced");
    await bufCurl(baseUrl, "connect", "CreateUser", { email, displayName: "Traced" });
    const deadline = Date.now() + 10_000;
    const named = () => receiver.spans.filter((span) => span.name === "acme.user.v1.UserService/CreateUser");
    while (named().length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(named()[0]).toMatchObject({ service: "wrangler-dev", attributes: { "rpc.method": "acme.user.v1.UserService/CreateUser" } });
  });
});
