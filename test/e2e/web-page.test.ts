import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServerProcess } from "../node/server-process.ts";
import { startWranglerDev } from "../node/wrangler-dev-process.ts";
import { type TestAuth, createTestAuth } from "../shared/test-auth.ts";
import { launchChromium, screenshotDir } from "./chromium.ts";
import { startStaticOrigin } from "./static-origin.ts";

const dir = mkdtempSync(join(tmpdir(), "e2e-"));
let browser: Browser;
let allowedOrigin: Awaited<ReturnType<typeof startStaticOrigin>>;
let otherOrigin: Awaited<ReturnType<typeof startStaticOrigin>>;
let auth: TestAuth;
/** A token with every scope, as a person would paste it. */
let fullToken: string;

beforeAll(async () => {
  auth = await createTestAuth();
  fullToken = await auth.mint({ sub: "e2e" });
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
      startServerProcess({ DATABASE_PATH: join(dir, "node.db"), CONFIG_CORS_ALLOWED_ORIGINS: corsOrigin, ...auth.vars }),
  },
  {
    name: "worker",
    start: (corsOrigin) => startWranglerDev(join(dir, "wrangler"), { CONFIG_CORS_ALLOWED_ORIGINS: corsOrigin, ...auth.vars }),
  },
];

/** Opens the page and, given a token, pastes it once the first (tokenless) listing has answered. */
async function openPage(url: string, token?: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(url);
  await page.locator("#users-message").filter({ hasText: /\S/ }).waitFor();
  if (token) {
    await page.fill("#token", token);
    await page.locator("#users-message").filter({ hasText: "Page 1" }).waitFor();
  }
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
      const page = await openPage(server.url, fullToken);
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
      const page = await openPage(server.url, fullToken);
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
      const page = await openPage(server.url, fullToken);
      const contentTypes: string[] = [];
      const authorizations: string[] = [];
      page.on("request", (request) => {
        if (request.method() !== "POST") return;
        contentTypes.push(request.headers()["content-type"] ?? "");
        authorizations.push(request.headers().authorization ?? "");
      });
      await page.check("#protocol-grpc-web");
      await expect.poll(() => page.textContent("#users-message")).toContain("gRPC-Web");
      await createUser(page, `grpcweb-${Date.now()}@example.com`, "Via gRPC-Web");
      await expect.poll(() => page.textContent("#create-user-message")).toContain("Created");
      expect(contentTypes.length).toBeGreaterThan(0);
      expect(contentTypes.every((type) => type.startsWith("application/grpc-web"))).toBe(true);
      expect(authorizations.every((value) => value === `Bearer ${fullToken}`)).toBe(true);
      await page.screenshot({ path: join(screenshotDir, `${target.name}-grpc-web.png`), fullPage: true });
      await page.close();
    });

    it("should tell a caller without a token to paste one, keep a pasted one for this tab only, and clear it", async () => {
      const page = await openPage(server.url);
      expect(await page.textContent("#users-message")).toContain("Not signed in: a bearer token is required. Paste a token above");
      await createUser(page, `anon-${Date.now()}@example.com`, "Anonymous");
      await expect.poll(() => page.textContent("#create-user-message")).toContain("npm run token -- --sub you --scopes");
      await page.screenshot({ path: join(screenshotDir, `${target.name}-no-token.png`), fullPage: true });
      await page.fill("#token", `Bearer ${fullToken}`);
      await expect.poll(() => page.textContent("#users-message")).toContain("Page 1");
      expect(await page.evaluate(() => [sessionStorage.getItem("api-token"), localStorage.length])).toEqual([fullToken, 0]);
      await page.reload();
      await expect.poll(() => page.textContent("#users-message")).toContain("Page 1");
      expect(await page.inputValue("#token")).toBe(fullToken);
      await page.click("#clear-token");
      await expect.poll(() => page.textContent("#users-message")).toContain("Not signed in");
      expect(await page.inputValue("#token")).toBe("");
      expect(await page.evaluate(() => sessionStorage.getItem("api-token"))).toBeNull();
      await page.close();
    });

    it("should name the missing scope when a token may read but not write", async () => {
      const page = await openPage(server.url, await auth.mint({ sub: "reader", scopes: ["users:read"] }));
      await createUser(page, `reader-${Date.now()}@example.com`, "Reader");
      await expect
        .poll(() => page.textContent("#create-user-message"))
        .toContain("Permission denied: your token lacks users:write. Paste a token with users:write above");
      await page.screenshot({ path: join(screenshotDir, `${target.name}-scope-missing.png`), fullPage: true });
      await page.close();
    });

    it("should let an allowed cross-origin page through CORS, token and all, and refuse another", async () => {
      const allowed = await openPage(`${allowedOrigin.origin}/?api=${encodeURIComponent(server.url)}`, fullToken);
      const email = `cors-${Date.now()}@example.com`;
      await createUser(allowed, email, "Across Origins");
      await expect.poll(() => allowed.textContent("#create-user-message")).toContain(`Created ${email}`);
      await allowed.close();
      const refused = await openPage(`${otherOrigin.origin}/?api=${encodeURIComponent(server.url)}`);
      expect(await refused.textContent("#users-message")).toContain("not allowed to call it (CORS)");
      await refused.screenshot({ path: join(screenshotDir, `${target.name}-cors-refused.png`), fullPage: true });
      await refused.close();
    });
  });
}
