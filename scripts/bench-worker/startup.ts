import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleSizes, wrangler } from "./wrangler-run.ts";

export interface StartupResult {
  /** Median "Active" CPU ms of the startup phase, as `wrangler check startup` measures it locally. */
  activeMs: number;
  /**
   * Every run's Active ms, in run order. The profile is sampled: a startup of a few ms
   * sometimes shows 0, which the median leaves out.
   */
  runs: number[];
  rawKiB: number;
  gzipKiB: number;
}

/**
 * `wrangler check startup` on each Worker directory, `runs` rounds, taking turns (A B A B
 * …) so that load from elsewhere on the machine weighs on all of them alike. It builds
 * the Worker the way `wrangler deploy` does and profiles the startup phase in workerd.
 */
export async function measureStartups(dirs: string[], runs: number): Promise<StartupResult[]> {
  const profiles = mkdtempSync(join(tmpdir(), "worker-startup-"));
  try {
    const samples = dirs.map(() => [] as number[]);
    const sizes = dirs.map(() => ({ rawKiB: 0, gzipKiB: 0 }));
    for (let round = 0; round < runs; round++) {
      for (const [i, dir] of dirs.entries()) {
        // --cwd, not --config: check startup builds through `wrangler deploy`, which it does not pass --config to.
        const output = await wrangler(["check", "startup", "--cwd", dir, "--outfile", join(profiles, `${i}-${round}.cpuprofile`)]);
        const active = /Active: ([\d.]+) ms/.exec(output)?.[1];
        if (!active) throw new Error(`no "Active" time in wrangler check startup's output:\n${output}`);
        samples[i]!.push(Number(active));
        sizes[i] = bundleSizes(output);
      }
    }
    return dirs.map((dir, i) => {
      const measured = samples[i]!.filter((ms) => ms > 0);
      if (measured.length === 0) throw new Error(`wrangler check startup measured 0 ms in every run of ${dir}`);
      return { activeMs: median(measured), runs: samples[i]!, ...sizes[i]! };
    });
  } finally {
    rmSync(profiles, { recursive: true, force: true });
  }
}

/**
 * `a`'s startup over `b`'s, round by round (run i of each ran one after the other), as the
 * median of those ratios: steadier on a busy machine than the ratio of the two medians,
 * which may come from rounds minutes apart (the unary rows of `npm run bench` do the
 * same). Rounds where either profile showed 0 ms are left out; undefined when that
 * leaves none (then only the medians can be divided).
 */
export function pairedStartupRatio(a: readonly number[], b: readonly number[]): number | undefined {
  const ratios = a.flatMap((ms, i) => (ms > 0 && (b[i] ?? 0) > 0 ? [ms / b[i]!] : []));
  return ratios.length === 0 ? undefined : middle(ratios);
}

/** The middle value, or the mean of the middle two for an even count. */
function middle(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** middle(), in ms to one decimal for an even count (an odd count's is a sample as printed). */
function median(values: number[]): number {
  return values.length % 2 === 1 ? middle(values) : Math.round(middle(values) * 10) / 10;
}
