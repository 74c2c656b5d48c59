import { fileURLToPath } from "node:url";
import { benchAuthVars, benchAuthorization, useBenchAuth } from "../bench/bench-auth.ts";
import { type Bundle, type BundlePart, bundleBreakdown } from "./bundle-breakdown.ts";
import { type CpuPerRequest, measureCpuPerRequest } from "./cpu-per-request.ts";
import { writeReferenceWorker } from "./reference-worker.ts";
import { printReport } from "./report.ts";
import { type StartupResult, measureStartups, pairedStartupRatio } from "./startup.ts";
import { targets } from "./targets.ts";

// The Worker side of `npm run bench` (scripts/bench/worker-rows.ts imports it), or on
// its own: `npm run bench:worker`, or `node scripts/bench-worker/main.ts` with the
// project's Node (npx node …). Builds the template Worker and a minimal connect-es
// reference Worker written to a temp dir, and measures both the same way in one run.

const templateDir = fileURLToPath(new URL("../../", import.meta.url));

export type WorkerMeasurement = StartupResult & CpuPerRequest;

export interface WorkerBenchResult {
  /** Startup CPU (`wrangler check startup`, Active ms, median), bundle sizes, CPU in workerd. */
  template: WorkerMeasurement;
  reference: WorkerMeasurement;
  /** template / reference startup CPU, the median of the rounds' ratios (pairedStartupRatio); target <= targets.startupRatio. */
  startupRatio: number;
  /** template / reference steady-state CPU per request. */
  cpuRatio: number;
  /** Template bundle <= targets.bundleGzipKiB gzip. */
  bundleTargetMet: boolean;
  startupTargetMet: boolean;
  /** What the template's main module holds, largest first. */
  breakdown: BundlePart[];
  /** Modules uploaded beside the main one and imported on demand (the MCP server), gzip KiB each. */
  lazyModules: Bundle["lazyModules"];
  smoke: boolean;
}

// The bench's token (scripts/bench/bench-auth.ts): every request carries it; the template
// Worker trusts its key (AUTH_* vars), the reference Worker ignores it.
const json = () => ({ "content-type": "application/json", ...benchAuthorization() });
const someId = "3f0c9e4e-0000-4000-8000-000000000000";

const getUser = (baseUrl: string, id: string) =>
  fetch(`${baseUrl}/acme.user.v1.UserService/GetUser`, { method: "POST", headers: json(), body: JSON.stringify({ id }) });

/** Measures the template and the reference Worker; every number comes from this run. */
export async function runWorkerBench(): Promise<WorkerBenchResult> {
  if (!process.env.BENCH_AUTHORIZATION) await useBenchAuth();
  const smoke = process.env.BENCH_SMOKE === "1";
  const runs = smoke ? 1 : 7;
  const requests = smoke ? 200 : 3000;
  const reference = writeReferenceWorker();
  try {
    const [templateStartup, referenceStartup] = await measureStartups([templateDir, reference.dir], runs);
    let userId = "";
    const templateCpu = await measureCpuPerRequest({
      dir: templateDir,
      migrate: true,
      vars: benchAuthVars(),
      requests,
      // A GetUser of no one: config, validation, the service and a D1 read (not_found).
      first: (baseUrl) => getUser(baseUrl, someId),
      setup: async (baseUrl) => {
        const response = await fetch(`${baseUrl}/acme.user.v1.UserService/CreateUser`, {
          method: "POST",
          headers: json(),
          body: JSON.stringify({ email: `bench-${Date.now()}@example.com`, displayName: "Bench" }),
        });
        userId = ((await response.json()) as { user: { id: string } }).user.id;
      },
      request: (baseUrl) => getUser(baseUrl, userId),
    });
    const referenceCpu = await measureCpuPerRequest({
      dir: reference.dir,
      migrate: false,
      requests,
      first: (baseUrl) => getUser(baseUrl, someId),
      setup: async () => {},
      request: (baseUrl) => getUser(baseUrl, someId),
    });
    // Sizes from the build itself: wrangler check startup prints the whole upload (every
    // module), while the budget is the main module's (what the isolate evaluates at startup).
    const { parts, rawKiB, gzipKiB, lazyModules } = await bundleBreakdown(templateDir);
    const ratio =
      pairedStartupRatio(templateStartup!.runs, referenceStartup!.runs) ?? templateStartup!.activeMs / referenceStartup!.activeMs;
    const startupRatio = Math.round(ratio * 100) / 100;
    return {
      template: { ...templateStartup!, ...templateCpu, rawKiB, gzipKiB },
      reference: { ...referenceStartup!, ...referenceCpu },
      startupRatio,
      cpuRatio: Math.round((templateCpu.cpuMsPerRequest / referenceCpu.cpuMsPerRequest) * 100) / 100,
      bundleTargetMet: gzipKiB <= targets.bundleGzipKiB,
      startupTargetMet: startupRatio <= targets.startupRatio,
      breakdown: parts,
      lazyModules,
      smoke,
    };
  } finally {
    reference.remove();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  printReport(await runWorkerBench());
}
