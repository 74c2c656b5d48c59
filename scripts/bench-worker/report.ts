import type { WorkerBenchResult } from "./main.ts";
import { targets } from "./targets.ts";

/** Prints a result as Markdown tables (what docs/performance-worker.md quotes). */
export function printReport(result: WorkerBenchResult): void {
  const { template: t, reference: r } = result;
  const met = (ok: boolean) => (ok ? "met" : "NOT met");
  console.log(`Worker bench${result.smoke ? " (smoke: numbers mean nothing)" : ""}\n`);
  console.log("| Worker | main module KiB raw (gzip) | startup CPU ms, median (runs) | first request CPU ms | CPU ms / request |");
  console.log("|---|---:|---:|---:|---:|");
  for (const [name, w] of [
    ["template", t],
    ["minimal connect-es reference", r],
  ] as const) {
    console.log(
      `| ${name} | ${w.rawKiB} (${w.gzipKiB}) | ${w.activeMs} (${w.runs.join(", ")}) | ${w.firstRequestCpuMs} | ${w.cpuMsPerRequest} |`,
    );
  }
  for (const lazy of result.lazyModules) {
    console.log(`\ntemplate, beside the main module: ${lazy.name}, ${lazy.rawKiB} KiB raw (${lazy.gzipKiB} gzip), imported on demand`);
  }
  console.log(
    `\nmain module <= ${targets.bundleGzipKiB} KiB gzip: ${met(result.bundleTargetMet)} (${t.gzipKiB}); ` +
      `startup <= ${targets.startupRatio}x the reference: ${met(result.startupTargetMet)} (${result.startupRatio}x); ` +
      `CPU per request: ${result.cpuRatio}x the reference (${t.requests} requests each)\n`,
  );
  console.log("| part | KiB minified | share | KiB gzip (est.) | gzip share |");
  console.log("|---|---:|---:|---:|---:|");
  for (const p of result.breakdown) console.log(`| ${p.part} | ${p.kib} | ${p.share}% | ${p.gzipKiB} | ${p.gzipShare}% |`);
}
