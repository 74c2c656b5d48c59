import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { serviceTable } from "../../src/service-table.ts";

const run = promisify(execFile);
const outdir = mkdtempSync(join(tmpdir(), "connect-template-bundle-"));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** gzip size in KiB, as wrangler measures an upload (zlib's default level). */
const gzipKiB = (path: string) => gzipSync(readFileSync(path)).byteLength / 1024;

// The production bundle is built by wrangler's own pipeline, not the one the Workers
// test suite uses, so it is checked separately (what `npm run build:worker` runs).
describe("Worker bundle", () => {
  it("should build offline with wrangler and keep its main module within its size budget", async () => {
    const { stdout } = await run("wrangler", ["deploy", "--dry-run", "--outdir", outdir], {
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    });
    const main = join(outdir, "index.js");
    const mcp = join(outdir, "gen/mcp-worker.js");
    expect(existsSync(main)).toBe(true);
    // The main module is what the isolate evaluates at startup: the budget is its size.
    // protovalidate (CEL, RE2) and protobuf are most of it (docs/performance-worker.md).
    // Without the [alias] entries in wrangler.toml it is ~180 KiB: a CommonJS build of an
    // OpenTelemetry package drags all of semantic-conventions in.
    // The budget is the template's own; each service added to the wiring table (about
    // 0.5 KiB for what new:service writes) brings 1 KiB more, so adding one keeps it green.
    const mainKiB = gzipKiB(main);
    const addedServices = serviceTable.length - 2;
    expect(mainKiB).toBeLessThanOrEqual(150 + addedServices);
    // The MCP server (the SDK, zod, the tools) is a module of its own, uploaded beside the
    // main one and imported on the first /mcp request: not in the main module, and
    // reported on its own (wrangler's "Total Upload" counts both).
    expect(readFileSync(main, "utf8")).not.toContain("2025-06-18"); // an MCP protocol version
    expect(stdout).toMatch(/gen\/mcp-worker\.js\s*│\s*esm/);
    const mcpKiB = gzipKiB(mcp);
    expect(mcpKiB).toBeLessThanOrEqual(60);
    // Tracing (otel-cf-workers and the SDK) too, imported on the first request when an
    // OTLP endpoint is set. Built with wrangler.toml's [alias] table, as the main module:
    // without it, all of semantic-conventions (~85 KiB) would come along.
    const trace = join(outdir, "gen/trace-export-worker.js");
    expect(readFileSync(main, "utf8")).not.toContain("otel-cf-workers");
    expect(readFileSync(trace, "utf8")).toContain("otel-cf-workers");
    expect(stdout).toMatch(/gen\/trace-export-worker\.js\s*│\s*esm/);
    const traceKiB = gzipKiB(trace);
    expect(traceKiB).toBeLessThanOrEqual(20);
    console.log(
      `Worker main module ${mainKiB.toFixed(2)} KiB gzip; lazy: MCP ${mcpKiB.toFixed(2)}, tracing ${traceKiB.toFixed(2)} KiB gzip`,
    );
  }, 60_000);
});
