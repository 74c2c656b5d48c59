import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDocumentClient } from "./openapi-client.ts";
import { testAuth } from "./test-auth-key.ts";
import { startTestServer } from "./test-server.ts";
import { startWranglerDev } from "./wrangler-dev-process.ts";

// /openapi.json and /docs on both runtimes (built into web/dist by `npm run build:web`),
// and a client that knows the API only from that document calling every RPC in it.

const generated = JSON.parse(readFileSync(new URL("../../src/gen/openapi.json", import.meta.url), "utf8"));

interface Runtime {
  url: string;
  stop(): Promise<void>;
}

describeRuntime("Node", async () => startTestServer());
describeRuntime("the Worker (wrangler dev)", async () => {
  const state = mkdtempSync(join(tmpdir(), "connect-template-openapi-"));
  const dev = await startWranglerDev(state);
  return {
    url: dev.url,
    async stop() {
      await dev.stop();
      rmSync(state, { recursive: true, force: true });
    },
  };
});

function describeRuntime(name: string, start: () => Promise<Runtime>) {
  describe(`the API document on ${name}`, () => {
    let runtime: Runtime;
    let document: typeof generated;
    const authorized = { authorization: testAuth.bearer };

    beforeAll(async () => {
      runtime = await start();
      document = await (await fetch(`${runtime.url}/openapi.json`)).json();
    }, 90_000);
    afterAll(() => runtime?.stop());

    it("should serve /openapi.json as generated, as JSON", async () => {
      const response = await fetch(`${runtime.url}/openapi.json`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      expect(await response.json()).toEqual(generated);
    });

    it("should serve the API reference at /docs (redirected to /docs/) with the Swagger UI it loads", async () => {
      const bare = await fetch(`${runtime.url}/docs`, { redirect: "manual" });
      expect([301, 307, 308]).toContain(bare.status);
      expect(new URL(bare.headers.get("location")!, runtime.url).pathname).toBe("/docs/");
      const page = await fetch(`${runtime.url}/docs`);
      expect(page.status).toBe(200);
      expect(page.url).toBe(`${runtime.url}/docs/`);
      expect(page.headers.get("content-type")).toMatch(/^text\/html/);
      const html = await page.text();
      expect(html).toContain('id="swagger-ui"');
      const script = html.match(/src="(\/assets\/[^"]+\.js)"/)?.[1];
      expect(script).toBeDefined();
      const entry = await fetch(`${runtime.url}${script}`);
      expect(entry.headers.get("content-type")).toMatch(/javascript/);
      // The entry loads swagger-ui's own bundle and stylesheet, copied as they are.
      const assets = [...(await entry.text()).matchAll(/\/assets\/swagger-ui[\w-]*\.(?:js|css)/g)].map((m) => m[0]);
      expect(assets).toHaveLength(2);
      for (const asset of assets) expect((await fetch(`${runtime.url}${asset}`)).status, asset).toBe(200);
    });

    it("should never redirect to another host (a path starting with //)", async () => {
      const response = await fetch(`${runtime.url}//docs`, { redirect: "manual" });
      const location = response.headers.get("location");
      if (location) expect(new URL(location, `${runtime.url}/x/`).origin).toBe(new URL(runtime.url).origin);
    });

    it("should answer every unary call (POST and GET) as documented, reading ids from earlier answers", async () => {
      const client = createDocumentClient(document);
      const results = await client.callAll({ baseUrl: runtime.url, headers: authorized });
      expect(results.map((r) => r.call)).toEqual(
        expect.arrayContaining([
          "POST /acme.user.v1.UserService/CreateUser",
          "POST /acme.user.v1.UserService/GetUser",
          "GET /acme.user.v1.UserService/GetUser",
          "POST /acme.user.v1.UserService/ListUsers",
          "POST /acme.order.v1.OrderService/CreateOrder",
          "POST /acme.order.v1.OrderService/GetOrder",
          "GET /acme.order.v1.OrderService/GetOrder",
          "POST /grpc.health.v1.Health/Check",
        ]),
      );
      for (const result of results) {
        expect(result.problems, result.call).toEqual([]);
        expect(result.status, `${result.call}: ${JSON.stringify(result.body)}`).toBe(200);
      }
    });

    it("should refuse calls as each operation's security says (no token: TOKEN_INVALID; no scope: SCOPE_MISSING)", async () => {
      const client = createDocumentClient(document);
      const noScopes = { authorization: `Bearer ${await testAuth.mint({ scopes: [] })}` };
      for (const { path, method, operation } of client.operations.filter((o) => !o.operation["x-connect-stream"])) {
        const body = client.sampleBody(path, method);
        const anonymous = await client.call({ baseUrl: runtime.url }, path, method, body);
        const scopeless = await client.call({ baseUrl: runtime.url, headers: noScopes }, path, method, body);
        expect([...anonymous.problems, ...scopeless.problems], anonymous.call).toEqual([]);
        if ((operation.security as unknown[]).length === 0) {
          expect([anonymous.status, scopeless.status], anonymous.call).not.toContain(401);
        } else {
          expect([anonymous.status, anonymous.reason], anonymous.call).toEqual([401, "TOKEN_INVALID"]);
          expect([scopeless.status, scopeless.reason], scopeless.call).toEqual([403, "SCOPE_MISSING"]);
        }
      }
    });

    it("should reject a body missing the required fields with a documented invalid_argument", async () => {
      const client = createDocumentClient(document);
      const withRequired = client.operations.filter(
        ({ path, method }) => Object.keys(client.sampleBody(path, method) as object).length > 0,
      );
      expect(withRequired.length).toBeGreaterThanOrEqual(4);
      for (const { path, method } of withRequired) {
        const result = await client.call({ baseUrl: runtime.url, headers: authorized }, path, method, {});
        expect(result.problems, result.call).toEqual([]);
        expect(result.status, result.call).toBe(400);
        expect(JSON.stringify(result.body), result.call).toContain("buf.validate.Violations");
      }
    });

    it("should stream ExportUsers in the documented envelopes", async () => {
      const client = createDocumentClient(document);
      await client.callAll({ baseUrl: runtime.url, headers: authorized }); // at least one user
      const stream = await client.callStream({ baseUrl: runtime.url, headers: authorized }, "/acme.user.v1.UserService/ExportUsers", {});
      expect(stream.status).toBe(200);
      expect(stream.problems).toEqual([]);
      expect(stream.messages.length).toBeGreaterThan(0);
      expect(stream.end).toEqual({});
      const refused = await client.callStream({ baseUrl: runtime.url }, "/acme.user.v1.UserService/ExportUsers", {});
      expect(refused.problems).toEqual([]);
      expect(refused.end).toMatchObject({ error: { code: "unauthenticated" } });
    });
  });
}
