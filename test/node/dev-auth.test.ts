import { execFile, spawn } from "node:child_process";
import net from "node:net";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { readNodeEnv } from "../../src/runtime/node/node-env.ts";
import { describeAuth } from "../../src/runtime/node/describe-auth.ts";
import { mintDevToken } from "../../src/runtime/node/dev-auth.ts";
import { startServer } from "../../src/runtime/node/start-server.ts";
import { trace } from "@opentelemetry/api";
import { startServerProcess } from "./server-process.ts";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "connect-template-dev-auth-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** No AUTH_* at all (the test key's variables unset): what a fresh clone runs. */
const noIssuer = { AUTH_ISSUER: "", AUTH_AUDIENCE: "", AUTH_JWKS: "" };

/** `npm run token -- ARGS` as a user types it, with the development key in `keyFile`. */
async function npmToken(keyFile: string, ...args: string[]): Promise<string> {
  const { stdout } = await run("npm", ["run", "-s", "token", "--", ...args], {
    env: { ...process.env, ...noIssuer, AUTH_DEV_KEY_FILE: keyFile },
  });
  return stdout.trim();
}

async function post(url: string, method: string, body: object, token?: string) {
  const response = await fetch(`${url}/acme.user.v1.UserService/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("local development: npm start on loopback and npm run token", () => {
  it("should trust a development key made on first run, kept across restarts, and say how to mint a token", async () => {
    const keyFile = join(dir, "first", "dev-auth-key.json");
    const env = { ...noIssuer, AUTH_DEV_KEY_FILE: keyFile, DATABASE_PATH: join(dir, "first.db") };
    let server = await startServerProcess(env);
    try {
      expect(server.stdout()).toContain(`development key ${keyFile}`);
      expect(server.stdout()).toContain("npm run token -- --sub ada");
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      const token = await npmToken(keyFile, "--sub", "ada", "--scopes", "users:read users:write");
      expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      const created = await post(server.url, "CreateUser", { email: "dev-ada@example.com", displayName: "Ada" }, token);
      expect(created.status).toBe(200);
      expect((await post(server.url, "CreateUser", { email: "x@example.com", displayName: "X" })).body).toMatchObject({
        code: "unauthenticated",
        message: "a bearer token is required",
      });
      const reader = await npmToken(keyFile, "--sub", "bob", "--scopes", "users:read");
      expect((await post(server.url, "CreateUser", { email: "bob@example.com", displayName: "Bob" }, reader)).body).toMatchObject({
        code: "permission_denied",
        message: "missing scope users:write",
      });
      // The same key after a restart: the earlier token still works.
      expect(await server.stop()).toBe(0);
      server = await startServerProcess(env);
      expect((await post(server.url, "ListUsers", {}, token)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it("should explain a missing --sub or a bad --ttl", async () => {
    const keyFile = join(dir, "usage", "key.json");
    const missing = await npmToken(keyFile, "--scopes", "users:read").catch((error: { code: number; stderr: string }) => error);
    expect(missing).toMatchObject({ code: 1 });
    expect((missing as { stderr: string }).stderr).toContain("--sub is required");
    const ttl = await npmToken(keyFile, "--sub", "a", "--ttl", "forever").catch((error: { stderr: string }) => error);
    expect((ttl as { stderr: string }).stderr).toContain("--ttl must be");
  });

  it("should keep the default key file out of git", async () => {
    const { stdout } = await run("git", ["check-ignore", ".data/dev-auth-key.json"]);
    expect(stdout.trim()).toBe(".data/dev-auth-key.json");
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

describe("local development: npm run dev:worker", () => {
  it("should run wrangler dev trusting the development key, and stop it when stopped", async () => {
    const keyFile = join(dir, "worker", "dev-auth-key.json");
    const port = await freePort();
    const child = spawn(
      "npm",
      ["run", "-s", "dev:worker", "--", "--port", String(port), "--inspector-port", "0", "--persist-to", join(dir, "worker-state")],
      {
        env: { ...process.env, ...noIssuer, AUTH_DEV_KEY_FILE: keyFile, WRANGLER_SEND_METRICS: "false" },
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      },
    );
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        let output = "";
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes("Ready on")) resolve();
        };
        child.stdout.on("data", onData);
        child.stderr.on("data", onData);
        child.once("exit", (code) => reject(new Error(`dev:worker exited with ${code}: ${output}`)));
      });
      const url = `http://127.0.0.1:${port}`;
      const token = await mintDevToken({ subject: "ada", scopes: ["users:read"], file: keyFile });
      expect((await post(url, "ListUsers", {}, token)).status).toBe(200);
      expect((await post(url, "ListUsers", {})).body).toMatchObject({ code: "unauthenticated" });
    } finally {
      // npm, the script and wrangler: the whole group, as a terminal's Ctrl-C would.
      process.kill(-child.pid!, "SIGINT");
      await exited;
    }
  }, 60_000);
});

describe("whose tokens the Node server trusts", () => {
  it("should pick an issuer, the development key on loopback only, or nobody", () => {
    const issuer = { AUTH_ISSUER: "https://id.example", AUTH_AUDIENCE: "api", AUTH_JWKS_URL: "https://id.example/jwks.json" };
    expect(readNodeEnv({ HOST: "0.0.0.0", ...issuer }).auth).toMatchObject({
      mode: "issuer",
      settings: { issuer: "https://id.example", audience: "api" },
    });
    for (const host of ["127.0.0.1", "localhost", "::1", "127.1.2.3"]) expect(readNodeEnv({ HOST: host }).auth.mode, host).toBe("dev");
    for (const host of ["0.0.0.0", "::", "10.0.0.5", "example.com"]) expect(readNodeEnv({ HOST: host }).auth.mode, host).toBe("off");
    expect(describeAuth(readNodeEnv({ HOST: "0.0.0.0" }))).toContain("WARNING no AUTH_ISSUER configured and HOST=0.0.0.0 is not loopback");
  });

  it("should refuse to start on a partial or invalid AUTH_* set, naming the variable", () => {
    expect(() => readNodeEnv({ AUTH_ISSUER: "https://id.example" })).toThrow("AUTH_AUDIENCE must be set");
    expect(() => readNodeEnv({ AUTH_AUDIENCE: "api" })).toThrow("AUTH_ISSUER must be set");
    expect(() => readNodeEnv({ AUTH_ISSUER: "i", AUTH_AUDIENCE: "a" })).toThrow("set exactly one of AUTH_JWKS");
    expect(() => readNodeEnv({ AUTH_ISSUER: "i", AUTH_AUDIENCE: "a", AUTH_JWKS: "{" })).toThrow("not valid JSON");
    expect(() => readNodeEnv({ AUTH_ISSUER: "i", AUTH_AUDIENCE: "a", AUTH_JWKS_URL: "http://id.example/jwks" })).toThrow("must use https");
    expect(() => readNodeEnv({ AUTH_ISSUER: "i", AUTH_AUDIENCE: "a", AUTH_JWKS_URL: "https://x", AUTH_CLOCK_TOLERANCE_S: "900" })).toThrow(
      "AUTH_CLOCK_TOLERANCE_S must be an integer from 0 to 300",
    );
  });

  it("should exit 1 at start with the reason, for npm start", async () => {
    const failed = await startServerProcess({ AUTH_ISSUER: "https://id.example", AUTH_AUDIENCE: "", AUTH_JWKS: "" }).catch(
      (error: Error) => error,
    );
    expect(String(failed)).toContain("failed to start: AUTH_AUDIENCE must be set");
  });

  it("should refuse every protected call, and keep health open, when nobody's tokens are trusted", async () => {
    const env = {
      ...readNodeEnv({ HOST: "127.0.0.1", PORT: "0", DATABASE_PATH: join(dir, "off.db"), ...noIssuer }),
      auth: { mode: "off" as const },
    };
    const server = await startServer(env, { log: () => {}, configLog: () => {}, tracer: trace.getTracer("test") });
    try {
      expect((await post(server.url, "ListUsers", {})).body).toMatchObject({
        code: "unauthenticated",
        message: "this server accepts no tokens: authentication is not configured",
      });
      const health = await fetch(`${server.url}/grpc.health.v1.Health/Check`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      expect(await health.json()).toEqual({ status: "SERVING" });
    } finally {
      await server.stop(1_000);
    }
  });
});
