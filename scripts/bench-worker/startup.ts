import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { bundleSizes, wrangler } from "./wrangler-run.ts";

export interface StartupResult {
  /** Median of "Active" CPU ms of the startup phase, as `wrangler check startup` measures it locally. */
  activeMs: number;
  runs: number[];
  rawKiB: number;
  gzipKiB: number;
}

/** `wrangler check startup` `runs` times on the Worker of `config`; the median active CPU time. */
export async function measureStartup(config: string, runs: number): Promise<StartupResult> {
  const dir = mkdtempSync(join(tmpdir(), "worker-startup-"));
  try {
    const samples: number[] = [];
    let sizes = { rawKiB: 0, gzipKiB: 0 };
    for (let i = 0; i < runs; i++) {
      // --cwd, not --config: check startup builds through `wrangler deploy`, which it does not pass --config to.
      const output = await wrangler(["check", "startup", "--cwd", dirname(config), "--outfile", join(dir, `startup-${i}.cpuprofile`)]);
      const active = /Active: ([\d.]+) ms/.exec(output)?.[1];
      if (!active) throw new Error(`no "Active" time in wrangler check startup's output:\n${output}`);
      samples.push(Number(active));
      sizes = bundleSizes(output);
    }
    const sorted = [...samples].sort((a, b) => a - b);
    return { activeMs: sorted[Math.floor(sorted.length / 2)]!, runs: samples, ...sizes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
