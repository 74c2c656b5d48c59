import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { postgresBinDir } from "../node/postgres.ts";

// `npm run bench` in smoke mode (tiny durations, one run): every row must still run end
// to end and land in latest.json. Speed is not asserted; smoke numbers mean nothing.

const bench = new URL("../../scripts/bench.ts", import.meta.url).pathname;
const hasH2load = spawnSync(process.env.BENCH_H2LOAD || "h2load", ["--version"]).status === 0;
const hasPostgres = (() => {
  try {
    postgresBinDir();
    return true;
  } catch {
    return false;
  }
})();
// Rows the bench skips (status "not run", with the reason) when PostgreSQL is not installed.
const postgresRows = new Set(["postgres-get-user-h2c", "postgres-create-user-h2c"]);

const expectedRows = [
  "raw-http1-json",
  "raw-http2-proto",
  "connect-node-json-h1",
  "connect-node-grpc-h2c",
  "grpc-js-grpc-h2c",
  "template-json-h1",
  "template-proto-h2c",
  "template-grpc-web-h2c",
  "template-grpc-h2c",
  "template-empty-json-h1",
  "template-empty-proto-h2c",
  "template-empty-grpc-web-h2c",
  "template-empty-grpc-h2c",
  "postgres-get-user-h2c",
  "postgres-create-user-h2c",
  "stream-grpc-js",
  "stream-template",
  "cold-raw-http",
  "cold-npm-start",
  "cold-sources",
];

interface Row {
  id: string;
  unit?: string;
  status: string;
  reason?: string;
  value?: unknown;
  runs?: number[];
}

function runBench(outDir: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bench], {
      env: { ...process.env, BENCH_SMOKE: "1", BENCH_OUT_DIR: outDir },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => resolve({ code, output }));
  });
}

describe("npm run bench, smoke mode", () => {
  it("runs every row end to end and writes latest.json and latest.svg", { timeout: 240_000 }, async (context) => {
    // The only reason to skip: the unary rows need h2load (the CI installs it).
    context.skip(!hasH2load, "h2load is not installed (Debian/Ubuntu: apt-get install nghttp2-client)");
    const outDir = mkdtempSync(join(tmpdir(), "bench-smoke-"));
    try {
      const { code, output } = await runBench(outDir);
      expect(code, output).toBe(0);
      expect(output).toContain("| row | load | value |");
      // One unmeasured round first, then the measured one: its numbers alone are kept.
      expect(output).toContain("warm-up 1/1 template-json-h1:");
      expect(output.indexOf("warm-up 1/1 template-json-h1:")).toBeLessThan(output.indexOf("run 1/1 template-json-h1:"));
      const report = JSON.parse(readFileSync(join(outDir, "latest.json"), "utf8")) as { rows: Row[]; worker: { ran: boolean } };
      const rows = new Map(report.rows.map((row) => [row.id, row]));
      for (const id of expectedRows) {
        const row = rows.get(id);
        expect(row, `row ${id}`).toBeDefined();
        if (postgresRows.has(id) && !hasPostgres) {
          expect(row?.status, id).toBe("not run");
          expect(row?.reason, id).toMatch(/PostgreSQL is not installed/);
          continue;
        }
        expect(row?.status, `${id}: ${row?.reason}`).toBe("ok");
        expect(typeof row?.value, id).toBe("number");
        if (row?.runs) expect(row.runs, id).toHaveLength(1);
      }
      // The Worker rows (scripts/bench-worker/main.ts: wrangler, workerd) ran too.
      expect(report.worker.ran, output).toBe(true);
      expect(report.rows.some((row) => row.id.startsWith("worker."))).toBe(true);
      // The bundle size in KiB to two places: 149.61 rounded to 150 read as at the limit.
      const bundle = rows.get("worker.bundle-gzip-kib");
      expect(bundle?.unit).toBe("KiB");
      expect(output).toContain(`| ${Number(bundle?.value).toFixed(2)} KiB |`);
      expect(readFileSync(join(outDir, "latest.svg"), "utf8")).toMatch(/^<svg[\s\S]*<\/svg>\n$/);
    } finally {
      if (existsSync(outDir)) rmSync(outDir, { recursive: true, force: true });
    }
  });
});
