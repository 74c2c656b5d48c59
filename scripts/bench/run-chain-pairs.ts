import { type ServerUsage, type SliceUsage, sliceUsage } from "./server-usage.ts";
import type { BenchTools } from "./tools.ts";

/** Seconds of load before each slice's measurement starts (connections opened, first calls made). */
export const sliceWarmUpSeconds = 0.3;

/**
 * How a pair's two slices run: "together" loads both servers at once, both pinned to CPU 0
 * (the scheduler gives each half of it); "back-to-back" one after the other, which goes
 * first alternating (used when the bench cannot pin, so sharing one CPU is not assured).
 */
export type PairMode = "together" | "back-to-back";

/** Together when servers are pinned to CPU 0 (and load to CPU 1), else back to back. */
export function pairMode(tools: Pick<BenchTools, "pinned">): PairMode {
  return tools.pinned ? "together" : "back-to-back";
}

/** One server of a chain pair: a slice of load on it (resolves to its req/s), and what it has used so far. */
export interface PairSide {
  load: () => Promise<number>;
  usage?: () => Promise<ServerUsage>;
}

/** The pairs' full / empty req/s, and each server's use of each pair's slice. */
export interface PairResults {
  ratios: number[];
  usage: PairUsage[];
}

export interface PairUsage {
  full: SliceUsage;
  empty: SliceUsage;
}

/**
 * A together pair rests on the scheduler giving each server half of CPU 0: outside these
 * shares, the pair is flagged "uneven" (one server was idle or starved part of the time).
 */
export const fairShare = { min: 0.45, max: 0.55 } as const;

/** Whether a together pair's servers did not get about half of CPU 0 each (unknown shares: not flagged). */
export function uneven(usage: PairUsage): boolean {
  return [usage.full.cpuShare, usage.empty.cpuShare].some(
    (share) => share !== undefined && (share < fairShare.min || share > fairShare.max),
  );
}

/**
 * The interceptor chain's cost, measured in `pairs` pairs of short slices of load on the
 * full-chain server and the empty-chain one. Resolves to full / empty req/s per pair,
 * with each server's share of the CPU and GC's share of that per slice, when `usage`
 * reads them: a together pair where the two did not share CPU 0 evenly is flagged, and a
 * server whose GC took far more than its twin's shows (docs/performance.md).
 *
 * Why not only the rounds: a chain row and its twin run 10 s apart there, and this VM's
 * speed moves by up to 2x within minutes: runs gave a chain "costing" -27% to +36%.
 * Back-to-back slices did little better (gRPC pairs from -24% to +29% in one run). Loaded
 * together on one CPU, both servers see the same machine at every instant, and the
 * scheduler's fair share makes the ratio of their req/s the inverse ratio of their CPU
 * per call: the same server twice gave pairs within ±2% (docs/performance.md).
 */
export async function runChainPairs(
  pairs: number,
  full: PairSide,
  empty: PairSide,
  log: (line: string) => void,
  mode: PairMode,
): Promise<PairResults> {
  const results: PairResults = { ratios: [], usage: [] };
  // Slices of `sides` at once, each server's usage read just before and after.
  const measured = async (sides: PairSide[]): Promise<{ reqPerSec: number; usage: SliceUsage }[]> => {
    const before = await Promise.all(sides.map((side) => side.usage?.() ?? {}));
    const start = performance.now();
    const reqPerSec = await Promise.all(sides.map((side) => side.load()));
    const wallMs = performance.now() - start;
    const after = await Promise.all(sides.map((side) => side.usage?.() ?? {}));
    return sides.map((_, i) => ({ reqPerSec: reqPerSec[i]!, usage: sliceUsage(before[i]!, after[i]!, wallMs) }));
  };
  for (let i = 0; i < pairs; i++) {
    let slices: { reqPerSec: number; usage: SliceUsage }[];
    if (mode === "together") {
      slices = await measured([full, empty]);
    } else if (i % 2 === 0) {
      slices = [...(await measured([full])), ...(await measured([empty]))];
    } else {
      slices = [...(await measured([empty])), ...(await measured([full]))].reverse();
    }
    const [fullSlice, emptySlice] = slices as [(typeof slices)[number], (typeof slices)[number]];
    const ratio = fullSlice.reqPerSec / emptySlice.reqPerSec;
    const usage = { full: fullSlice.usage, empty: emptySlice.usage };
    results.ratios.push(ratio);
    results.usage.push(usage);
    log(
      `    pair ${i + 1}/${pairs}: full ${Math.round(fullSlice.reqPerSec)}, empty ${Math.round(emptySlice.reqPerSec)} req/s, ` +
        `chain cost ${percent(ratio)}${usageText(usage)}${mode === "together" && uneven(usage) ? " UNEVEN" : ""}`,
    );
  }
  return results;
}

const share = (value: number | undefined) => (value === undefined ? "?" : `${(value * 100).toFixed(1)}%`);

/** "; CPU 49.8% / 50.1%, GC 4.2% / 3.1% of it" (full / empty), or nothing when neither was read. */
function usageText({ full, empty }: PairUsage): string {
  const cpu = full.cpuShare !== undefined || empty.cpuShare !== undefined ? `CPU ${share(full.cpuShare)} / ${share(empty.cpuShare)}` : "";
  const gc = full.gcShare !== undefined || empty.gcShare !== undefined ? `GC ${share(full.gcShare)} / ${share(empty.gcShare)} of it` : "";
  const parts = [cpu, gc].filter(Boolean);
  return parts.length > 0 ? `; ${parts.join(", ")}` : "";
}

/** A chain cost as printed: 1 - full / empty, in percent. */
export function percent(fullOverEmpty: number): string {
  return `${((1 - fullOverEmpty) * 100).toFixed(1)}%`;
}
