import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { useBenchAuth } from "./bench/bench-auth.ts";
import { machineFacts } from "./bench/machine.ts";
import { readCpuTicks, stealShare } from "./bench/steal.ts";
import { markdownReport } from "./bench/markdown-report.ts";
import type { BenchReport, RowResult } from "./bench/results.ts";
import { runColdStartRows } from "./bench/run-cold-starts.ts";
import { runPostgresRows } from "./bench/run-postgres.ts";
import { runStreamRows } from "./bench/run-streams.ts";
import { runUnaryRows } from "./bench/run-unary.ts";
import { seedUsers } from "./bench/seed.ts";
import type { UserFixture } from "./bench/server-options.ts";
import { type ServerProcess, startServerProcess } from "./bench/server-process.ts";
import { readBenchSettings } from "./bench/settings.ts";
import { svgChart } from "./bench/svg-chart.ts";
import { applyRatiosAndTargets } from "./bench/targets.ts";
import { detectTools } from "./bench/tools.ts";
import type { ServerName } from "./bench/unary-rows.ts";
import { runWorkerRows } from "./bench/worker-rows.ts";
import type { WorkerBenchResult } from "./bench-worker/main.ts";

// `npm run bench`: anchors (raw node:http / node:http2, stock connect-node, grpc-js) and
// the template as `npm start` serves it, side by side in one run, each server its own
// process on CPU 0 and every load generator on CPU 1; ratios to the anchors, p50/p99,
// peak RSS, streaming, cold start and (when present) the Worker bench. docs/performance.md
// describes every row. Progress goes to stderr, the table to stdout, results to
// bench-results/latest.json and latest.svg. Exits 1 when a row failed (a wrong answer,
// a server that did not start), 0 when something could only not run here.

await useBenchAuth();
const settings = readBenchSettings(process.env);
const tools = detectTools();
const log = (line: string) => console.error(line);
const workDir = mkdtempSync(join(tmpdir(), "connect-bench-"));
const databasePath = join(workDir, "app.db");
const servers = new Map<ServerName, ServerProcess | Error>();

async function start(name: ServerName, kind: string, options: object = {}): Promise<void> {
  try {
    servers.set(name, await startServerProcess(tools, kind, options));
  } catch (error) {
    servers.set(name, error as Error);
  }
}

async function startServers(): Promise<UserFixture> {
  // The template first: it creates and migrates the SQLite file the others then share.
  await start("template", "template", { databasePath, chain: "full" });
  let user: UserFixture = { id: crypto.randomUUID(), email: "bench@example.com", displayName: "Bench", createTimeMs: Date.UTC(2026, 0, 1) };
  let seeded: Error | undefined;
  const template = servers.get("template");
  if (template instanceof Error) {
    seeded = new Error(`no seeded database, the template did not start: ${template.message}`);
  } else {
    user = seedUsers(databasePath, settings.exportUsers);
  }
  if (seeded) {
    servers.set("grpc-js", seeded);
    servers.set("template-empty", seeded);
  }
  await Promise.all([
    start("raw-h1", "raw-h1"),
    start("raw-h2", "raw-h2"),
    start("connect-node", "connect-node", { user }),
    ...(seeded
      ? []
      : [start("grpc-js", "grpc-js", { databasePath }), start("template-empty", "template", { databasePath, chain: "empty" })]),
  ]);
  return user;
}

async function stopServers(): Promise<void> {
  await Promise.all([...servers.values()].map((server) => (server instanceof Error ? undefined : server.stop())));
}

function workerRows(outcome: Awaited<ReturnType<typeof runWorkerRows>>): RowResult[] {
  if (!outcome.ran)
    return [{ id: "worker", label: "worker", group: "worker", load: "", unit: "", status: "not run", reason: outcome.reason }];
  const { template, reference, startupRatio, bundleTargetMet, startupTargetMet, lazyModules } = outcome.result as WorkerBenchResult;
  const lazy = lazyModules.map((module) => `; + ${module.name} ${module.gzipKiB} KiB gzip, imported on demand`).join("");
  const row = (id: string, label: string, value: number, unit: RowResult["unit"], extra: Partial<RowResult> = {}): RowResult => ({
    id: `worker.${id}`,
    label,
    group: "worker",
    load: "",
    unit,
    status: "ok",
    value,
    ...extra,
  });
  return [
    row("bundle-gzip-kib", `Worker main module, template, gzip (${template.rawKiB} KiB raw)${lazy}`, template.gzipKiB, "KiB", {
      target: { text: "<= 150 KiB gzip", actual: `${template.gzipKiB} KiB`, met: bundleTargetMet },
    }),
    row("startup-reference", "Worker startup CPU, minimal connect-es Worker (wrangler check startup)", reference.activeMs, "ms"),
    row("startup", "Worker startup CPU, template (wrangler check startup)", template.activeMs, "ms", {
      anchor: "worker.startup-reference",
      target: { text: "<= 1.5x the minimal Worker", actual: `${startupRatio}x`, met: startupTargetMet },
    }),
    row("cpu-reference", "Worker CPU per GetUser in workerd, minimal Worker", reference.cpuMsPerRequest, "ms"),
    row("cpu", "Worker CPU per GetUser in workerd, template (D1 read included)", template.cpuMsPerRequest, "ms", {
      anchor: "worker.cpu-reference",
    }),
  ];
}

let exitCode = 0;
const ticksAtStart = readCpuTicks();
try {
  log(
    `bench${settings.smoke ? " (smoke)" : ""}: ${settings.runs} run(s) x ${settings.seconds} s; ${tools.missing.join("; ") || "all tools present"}`,
  );
  log("starting servers");
  const user = await startServers();
  const rows: RowResult[] = [];
  try {
    log("unary rows");
    rows.push(...(await runUnaryRows({ tools, settings, servers, user, workDir, log })));
    log("stream rows");
    rows.push(...(await runStreamRows(tools, settings, servers, log)));
  } finally {
    await stopServers();
  }
  log("postgres rows");
  rows.push(...(await runPostgresRows(tools, settings, workDir, log)));
  log("cold starts");
  rows.push(...(await runColdStartRows(tools, settings, workDir, log)));
  log("worker rows");
  const worker = await runWorkerRows(settings.workerTimeoutMs);
  rows.push(...workerRows(worker));
  applyRatiosAndTargets(rows);

  const report: BenchReport = {
    machine: machineFacts(tools, stealShare(ticksAtStart, readCpuTicks())),
    settings: { ...settings },
    rows,
    notRun: [...tools.missing, ...(worker.ran ? [] : [`worker: ${worker.reason}`])],
    failures: rows.filter((row) => row.status === "failed").map((row) => `${row.id}: ${row.reason ?? ""}`),
    worker,
  };
  mkdirSync(settings.outDir, { recursive: true });
  writeFileSync(join(settings.outDir, "latest.json"), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(settings.outDir, "latest.svg"), svgChart(report));
  console.log(markdownReport(report));
  console.log(`\nwrote ${join(settings.outDir, "latest.json")} and latest.svg`);
  if (report.failures.length > 0) exitCode = 1;
} catch (error) {
  console.error(`bench failed: ${error instanceof Error ? error.stack : String(error)}`);
  exitCode = 1;
} finally {
  await stopServers();
  rmSync(workDir, { recursive: true, force: true });
}
// The Worker bench may leave handles open (or still be running after its timeout).
process.exit(exitCode);
