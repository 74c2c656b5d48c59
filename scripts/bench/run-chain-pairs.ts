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

/**
 * The interceptor chain's cost, measured in `pairs` pairs of short slices of load on the
 * full-chain server and the empty-chain one. Resolves to full / empty req/s per pair.
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
  loadFull: () => Promise<number>,
  loadEmpty: () => Promise<number>,
  log: (line: string) => void,
  mode: PairMode,
): Promise<number[]> {
  const ratios: number[] = [];
  for (let i = 0; i < pairs; i++) {
    let full: number;
    let empty: number;
    if (mode === "together") {
      [full, empty] = await Promise.all([loadFull(), loadEmpty()]);
    } else if (i % 2 === 0) {
      full = await loadFull();
      empty = await loadEmpty();
    } else {
      empty = await loadEmpty();
      full = await loadFull();
    }
    ratios.push(full / empty);
    log(`    pair ${i + 1}/${pairs}: full ${Math.round(full)}, empty ${Math.round(empty)} req/s, chain cost ${percent(full / empty)}`);
  }
  return ratios;
}

/** A chain cost as printed: 1 - full / empty, in percent. */
export function percent(fullOverEmpty: number): string {
  return `${((1 - fullOverEmpty) * 100).toFixed(1)}%`;
}
