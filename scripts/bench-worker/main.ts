import { fileURLToPath } from "node:url";
import { type BundlePart, bundleBreakdown } from "./bundle-breakdown.ts";
import { type CpuPerRequest, measureCpuPerRequest } from "./cpu-per-request.ts";
import { writeReferenceWorker } from "./reference-worker.ts";
import { type StartupResult, measureStartup } from "./startup.ts";

// The Worker side of `npm run bench` (scripts/bench/worker-rows.ts imports it), or on
// its own: `npm run bench:worker` (npm scripts put wrangler on PATH). Builds the template Worker and a minimal
// connect-es reference Worker generated here, and measures both the same way.

const templateConfig = fileURLToPath(new URL("../../wrangler.toml", import.meta.url));
const smoke = process.env.BENCH_SMOKE === "1";

export interface WorkerBenchResult {
  /** Startup CPU (`wrangler check startup`, Active ms, median) and bundle sizes. */
  template: StartupResult & CpuPerRequest;
  reference: StartupResult & CpuPerRequest;
  /** template / reference startup CPU; target <= 1.5. */
  startupRatio: number;
  /** Target: template bundle <= 150 KiB gzip. */
  bundleTargetMet: boolean;
  startupTargetMet: boolean;
  breakdown: BundlePart[];
}

const json = { "content-type": "application/json" };

/** Measures the template and the reference Worker; every number comes from this run. */
export async function runWorkerBench(): Promise<WorkerBenchResult> {
  const referenceConfig = writeReferenceWorker();
  const runs = smoke ? 1 : 5;
  const requests = smoke ? 200 : 3000;
  const templateStartup = await measureStartup(templateConfig, runs);
  const referenceStartup = await measureStartup(referenceConfig, runs);
  let userId = "";
  const templateCpu = await measureCpuPerRequest({
    config: templateConfig,
    migrate: true,
    requests,
    setup: async (baseUrl) => {
      const response = await fetch(`${baseUrl}/acme.user.v1.UserService/CreateUser`, {
        method: "POST",
        headers: json,
        body: JSON.stringify({ email: `bench-${Date.now()}@example.com`, displayName: "Bench" }),
      });
      userId = ((await response.json()) as { user: { id: string } }).user.id;
    },
    request: (baseUrl) =>
      fetch(`${baseUrl}/acme.user.v1.UserService/GetUser`, { method: "POST", headers: json, body: JSON.stringify({ id: userId }) }),
  });
  const referenceCpu = await measureCpuPerRequest({
    config: referenceConfig,
    migrate: false,
    requests,
    setup: async () => {},
    request: (baseUrl) =>
      fetch(`${baseUrl}/acme.user.v1.UserService/GetUser`, {
        method: "POST",
        headers: json,
        body: JSON.stringify({ id: "3f0c9e4e-0000-4000-8000-000000000000" }),
      }),
  });
  const startupRatio = Math.round((templateStartup.activeMs / referenceStartup.activeMs) * 100) / 100;
  return {
    template: { ...templateStartup, ...templateCpu },
    reference: { ...referenceStartup, ...referenceCpu },
    startupRatio,
    bundleTargetMet: templateStartup.gzipKiB <= 150,
    startupTargetMet: startupRatio <= 1.5,
    breakdown: await bundleBreakdown(templateConfig),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await runWorkerBench();
  const { template: t, reference: r } = result;
  console.log("| Worker | bundle KiB (gzip) | startup CPU ms (median) | CPU ms / request in workerd |");
  console.log("|---|---:|---:|---:|");
  console.log(`| template | ${t.rawKiB} (${t.gzipKiB}) | ${t.activeMs} | ${t.cpuMsPerRequest} |`);
  console.log(`| minimal connect-es reference | ${r.rawKiB} (${r.gzipKiB}) | ${r.activeMs} | ${r.cpuMsPerRequest} |`);
  console.log(
    `\nstartup template / reference: ${result.startupRatio}x (target <= 1.5x: ${result.startupTargetMet ? "met" : "not met"}); ` +
      `bundle <= 150 KiB gzip: ${result.bundleTargetMet ? "met" : "not met"}\n`,
  );
  console.log("| part | KiB (minified) | share |\n|---|---:|---:|");
  for (const part of result.breakdown) console.log(`| ${part.part} | ${part.kib} | ${part.share}% |`);
}
