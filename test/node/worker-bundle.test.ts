import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { serviceTable } from "../../src/service-table.ts";

const run = promisify(execFile);
const outdir = mkdtempSync(join(tmpdir(), "connect-template-bundle-"));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

// The production bundle is built by wrangler's own pipeline, not the one the Workers
// test suite uses, so it is checked separately (what `npm run build:worker` runs).
describe("Worker bundle", () => {
  it("should build offline with wrangler and stay within its size budget", async () => {
    const { stdout } = await run("wrangler", ["deploy", "--dry-run", "--outdir", outdir], {
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    });
    expect(existsSync(join(outdir, "index.js"))).toBe(true);
    const gzipKiB = Number(/gzip: ([\d.]+) KiB/.exec(stdout)?.[1]);
    expect(gzipKiB).toBeGreaterThan(0);
    // protovalidate (CEL, RE2) and protobuf are most of it (docs/performance-worker.md).
    // Without the [alias] entries in wrangler.toml it is ~180 KiB: a CommonJS build of an
    // OpenTelemetry package drags all of semantic-conventions in.
    // The budget is the template's own; each service added to the wiring table (about
    // 0.5 KiB for what new:service writes) brings 1 KiB more, so adding one keeps it green.
    const addedServices = serviceTable.length - 2;
    expect(gzipKiB).toBeLessThanOrEqual(150 + addedServices);
  }, 60_000);
});
