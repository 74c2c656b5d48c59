import { readFileSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testAuth } from "../node/test-auth-key.ts";
import { startTestServer } from "../node/test-server.ts";
import { launchChromium, screenshotDir } from "./chromium.ts";

// /docs in a browser: Swagger UI renders every operation of /openapi.json, and a call
// made from it with a token entered in its Authorize dialog reaches the service.

const document = JSON.parse(readFileSync(new URL("../../src/gen/openapi.json", import.meta.url), "utf8"));
const operationCount = Object.values(document.paths as Record<string, object>).reduce((n, item) => n + Object.keys(item).length, 0);

let browser: Browser;
let server: Awaited<ReturnType<typeof startTestServer>>;

beforeAll(async () => {
  browser = await launchChromium();
  server = await startTestServer();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("the API reference page", () => {
  it("should list every operation and call CreateUser with the token entered under Authorize", async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/docs`);
    await expect.poll(() => page.locator(".opblock").count(), { timeout: 15_000 }).toBe(operationCount);

    await page.locator(".auth-wrapper .authorize").click();
    await page.locator(".auth-container input").fill(testAuth.bearer.replace(/^Bearer /, ""));
    await page.locator(".auth-btn-wrapper .authorize").click();
    await page.locator(".auth-btn-wrapper .btn-done").click();

    const operation = page.locator(".opblock-post", { has: page.locator('[data-path="/acme.user.v1.UserService/CreateUser"]') });
    await operation.locator(".opblock-summary").click();
    await operation.locator(".try-out__btn").click();
    const email = `docs-${Date.now()}@example.com`;
    await operation.locator("textarea.body-param__text").fill(JSON.stringify({ email, displayName: "Docs" }));
    await operation.locator(".execute").click();
    const status = operation.locator(".live-responses-table tbody .response-col_status").first();
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).toContain("200");
    await expect.poll(() => operation.locator(".live-responses-table .microlight").first().textContent()).toContain(email);
    await page.screenshot({ path: `${screenshotDir}api-docs.png`, fullPage: false });
    await page.close();
  });

  it("should use the token pasted on the main page of the same tab", async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    await page.fill("#token", testAuth.bearer.replace(/^Bearer /, ""));
    await page.goto(`${server.url}/docs/`);
    const operation = page.locator(".opblock-post", { has: page.locator('[data-path="/acme.user.v1.UserService/ListUsers"]') });
    await operation.locator(".opblock-summary").click();
    await operation.locator(".try-out__btn").click();
    await operation.locator("textarea.body-param__text").fill("{}");
    await operation.locator(".execute").click();
    const status = operation.locator(".live-responses-table tbody .response-col_status").first();
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).toContain("200");
    await page.close();
  });
});
