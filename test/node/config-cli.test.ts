import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { configFile } from "./config-files.ts";

const run = promisify(execFile);
const cli = new URL("../../scripts/config/main.ts", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "config-cli-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `npm run config -- ...args`, with `env` added; resolves to exit code and output. */
async function config(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const valid = { maintenance: { enabled: true, retryAfterSeconds: 30 }, cors: { allowedOrigins: ["https://app.example.com"] } };
const invalid = { userListing: { defaultPageSize: 500, maxPageSize: 100 }, maintenance: { retryAfterSeconds: 0 } };

describe("npm run config -- validate", () => {
  it("should accept a valid config", async () => {
    const result = await config(["validate", configFile(valid)]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("is a valid config");
  });

  it("should refuse an invalid one, listing every violation by field path", async () => {
    const result = await config(["validate", configFile(invalid)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("user_listing: default_page_size must not exceed max_page_size");
    expect(result.stderr).toContain("maintenance.retry_after_seconds: must be greater than or equal to 1");
    const typo = await config(["validate", configFile({ maintenence: {} })]);
    expect(typo.stderr).toContain('key "maintenence" is unknown');
  });
});

describe("npm run config -- --target node", () => {
  const env = { DATABASE_PATH: join(dir, "node", "app.db") };

  it("should set, get and diff the store npm start reads", async () => {
    expect((await config(["get", "--target", "node"], env)).stdout).toContain("nothing stored");
    const file = configFile(valid);
    const set = await config(["set", file, "--target", "node"], env);
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('+    "enabled": true');
    expect(set.stdout).toContain("written to SQLite store");
    expect(JSON.parse((await config(["get", "--target", "node"], env)).stdout)).toEqual(valid);
    expect((await config(["diff", file, "--target", "node"], env)).stdout).toContain("no change");
    const diff = await config(["diff", configFile({ ...valid, maintenance: { enabled: false } }), "--target", "node"], env);
    expect(diff.stdout).toContain('-    "enabled": true,');
    expect(diff.stdout).toContain('+    "enabled": false');
  });

  it("should refuse to write an invalid config and leave the store as it was", async () => {
    const result = await config(["set", configFile(invalid), "--target", "node"], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("maintenance.retry_after_seconds");
    expect(JSON.parse((await config(["get", "--target", "node"], env)).stdout)).toEqual(valid);
  });

  it("should write the mounted file when npm start would read CONFIG_FILE", async () => {
    const path = join(dir, "mounted.json");
    await config(["set", configFile(valid), "--target", "node"], { CONFIG_FILE: path });
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual(valid);
  });
});

describe("npm run config -- --target local", () => {
  it("should round-trip through the local KV of wrangler (real wrangler)", async () => {
    const persist = ["--persist-to", join(dir, "wrangler-state")];
    expect((await config(["get", "--target", "local", ...persist])).stdout).toContain("nothing stored");
    const set = await config(["set", configFile(valid), "--target", "local", ...persist]);
    expect(set.code).toBe(0);
    expect(JSON.parse((await config(["get", "--target", "local", ...persist])).stdout)).toEqual(valid);
  }, 60_000);
});

describe("npm run config -- --target remote", () => {
  // No Cloudflare account here: a stand-in for wrangler records the exact call the CLI
  // makes; everything before that call (validation, diff) is the real code.
  it("should validate, diff and then call `wrangler kv key put ... --remote`", async () => {
    const calls = join(dir, "wrangler-calls.jsonl");
    const fake = join(dir, "fake-wrangler.mjs");
    writeFileSync(
      fake,
      `#!/usr/bin/env node\nimport { appendFileSync } from "node:fs";\nappendFileSync(${JSON.stringify(calls)}, JSON.stringify(process.argv.slice(2)) + "\\n");\nif (process.argv[4] === "get") console.log("Value not found");\n`,
    );
    chmodSync(fake, 0o755);
    const env = { CONFIG_CLI_WRANGLER: fake };
    expect((await config(["set", configFile(invalid), "--target", "remote"], env)).code).toBe(1);
    const set = await config(["set", configFile(valid), "--target", "remote"], env);
    expect(set.code).toBe(0);
    const recorded = readFileSync(calls, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as string[]);
    expect(recorded).toHaveLength(2); // the invalid file never reached wrangler
    expect(recorded[0]).toEqual(["kv", "key", "get", "config", "--text", "--binding", "CONFIG", "--remote"]);
    expect(recorded[1]?.slice(0, 5)).toEqual(["kv", "key", "put", "config", "--path"]);
    expect(recorded[1]?.slice(6)).toEqual(["--binding", "CONFIG", "--remote"]);
  });
});
