import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServerProcess } from "../node/server-process.ts";
import { startWranglerDev } from "../node/wrangler-dev-process.ts";
import { launchChromium, screenshotDir } from "./chromium.ts";
import { startStaticOrigin } from "./static-origin.ts";

const dir = mkdtempSync(join(tmpdir(), "e2e-"));
let browser: Browser;
let allowedOrigin: Awaited<ReturnType<typeof startStaticOrigin>>;
let otherOrigin: Awaited<ReturnType<typeof startStaticOrigin>>;

beforeAll(async () => {
  browser = await launchChromium();
  allowedOrigin = await startStaticOrigin();
  otherOrigin = await startStaticOrigin();
});
afterAll(async () => {
  await browser?.close();
  await allowedOrigin?.close();
  await otherOrigin?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Target {
  name: string;
  start(corsOrigin: string): Promise<{ url: string; stop(): Promise<unknown> }>;
}

const targets: Target[] = [
  {
    name: "node",
    start: (corsOrigin) =>
      startServerProcess({ DATABASE_PATH: join(dir, "node.db"), CONFIG_CORS_ALLOWED_ORIGINS: corsOrigin }),
  },
  {
    name: "worker",
    start: (corsOrigin) => startWranglerDev(join(dir, "wrangler"), { CONFIG_CORS_ALLOWED_ORIGINS: corsOrigin }),
  },
];

async function openPage(url: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(url);
  await page.locator("#users-message").filter({ hasText: /\S/ }).waitFor();
  return page;
}

async function createUser(page: Page, email: string, displayName: string) {
  await page.fill("#email", email);
  await page.fill("#display-name", displayName);
  await page.click("#create-user");
}

for (const target of targets) {
  describe(`the web page on ${target.name}`, () => {
    let server: { url: string; stop(): Promise<unknown> };
    beforeAll(async () => {
      server = await target.start(allowedOrigin.origin);
    }, 60_000);
    afterAll(() => server?.stop());

    it("should create a user and list it", async () => {
      const page = await openPage(server.url);
      const email = `ada-${Date.now()}@example.com`;
      await createUser(page, email, "Ada Lovelace");
      await expect.poll(() => page.textContent("#create-user-message")).toContain(`Created ${email}`);
      await expect.poll(() => page.textContent("#users")).toContain(email);
      await page.click("#export");
      await expect.poll(() => page.textContent("#export-list")).toContain(email);
      await page.click("#create-order");
      await expect.poll(() => page.textContent("#order-message")).toMatch(/Order .* created/);
      await page.screenshot({ path: join(screenshotDir, `${target.name}-created.png`), fullPage: true });
      await page.close();
    });

    it("should show a field violation next to the input and a reason as a readable message", async () => {
      const page = await openPage(server.url);
      await createUser(page, "not-an-email", "Bad Email");
      await expect.poll(() => page.textContent("#email-error")).toContain("must be a valid email address");
      expect(await page.textContent("#display-name-error")).toBe("");
      const email = `dup-${Date.now()}@example.com`;
      await createUser(page, email, "First");
      await expect.poll(() => page.textContent("#create-user-message")).toContain("Created");
      await createUser(page, email, "Second");
      await expect.poll(() => page.textContent("#create-user-message")).toContain(`That email (${email}) is already registered.`);
      expect(await page.textContent("#email-error")).toBe("");
      await page.screenshot({ path: join(screenshotDir, `${target.name}-errors.png`), fullPage: true });
      await page.close();
    });

    it("should speak gRPC-Web when switched", async () => {
      const page = await openPage(server.url);
      const contentTypes: string[] = [];
      page.on("request", (request) => {
        if (request.method() === "POST") contentTypes.push(request.headers()["content-type"] ?? "");
      });
      await page.check("#protocol-grpc-web");
      await expect.poll(() => page.textContent("#users-message")).toContain("gRPC-Web");
      await createUser(page, `grpcweb-${Date.now()}@example.com`, "Via gRPC-Web");
      await expect.poll(() => page.textContent("#create-user-message")).toContain("Created");
      expect(contentTypes.length).toBeGreaterThan(0);
      expect(contentTypes.every((type) => type.startsWith("application/grpc-web"))).toBe(true);
      await page.screenshot({ path: join(screenshotDir, `${target.name}-grpc-web.png`), fullPage: true });
      await page.close();
    });

    it("should let an allowed cross-origin page through CORS and refuse another", async () => {
      const allowed = await openPage(`${allowedOrigin.origin}/?api=${encodeURIComponent(server.url)}`);
      expect(await allowed.textContent("#users-message")).toContain("Page 1");
      await allowed.close();
      const refused = await openPage(`${otherOrigin.origin}/?api=${encodeURIComponent(server.url)}`);
      expect(await refused.textContent("#users-message")).toContain("not allowed to call it (CORS)");
      await refused.screenshot({ path: join(screenshotDir, `${target.name}-cors-refused.png`), fullPage: true });
      await refused.close();
    });
  });
}
