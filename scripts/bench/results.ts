import type { PairUsage } from "./run-chain-pairs.ts";
import type { WorkerOutcome } from "./worker-rows.ts";

export type RowGroup = "unary" | "stream" | "cold-start" | "worker";

/** A target a row is held to, and whether this run met it (undefined: could not tell). */
export interface TargetResult {
  text: string;
  /** The measured quantity the target is about, as printed. */
  actual?: string;
  met?: boolean;
}

/** One line of the table; latest.json holds these as they are. */
export interface RowResult {
  id: string;
  label: string;
  group: RowGroup;
  /** What was in flight: connections x streams, concurrent streams, or starts. */
  load: string;
  unit: "req/s" | "msg/s" | "ms" | "KiB" | "";
  /** The row (id) this one is divided by; an anchor row has none. */
  anchor?: string;
  status: "ok" | "failed" | "not run";
  reason?: string;
  /** Median over runs (a worker row: whatever the Worker bench reported). */
  value?: number | string | boolean;
  runs?: number[];
  /**
   * Which sequence of rounds `runs` belongs to ("unary", "stream"): run i of rows with
   * the same label ran in the same round, side by side, so they are divided run by run.
   */
  rounds?: string;
  /**
   * To the anchor: the median of the per-round ratios when both rows ran in the same
   * rounds (roundRatios), else value / the anchor's value.
   */
  ratio?: number;
  /** This row's run i / its anchor's run i, for rows that ran in the anchor's rounds. */
  roundRatios?: number[];
  /**
   * Empty-chain rows: the full-chain twin's req/s / this row's, per pair of short
   * slices, both servers loaded at once when pinned (run-chain-pairs.ts); the chain's
   * cost comes from these when present.
   */
  pairRatios?: number[];
  /**
   * Empty-chain rows, beside pairRatios: each server's share of the wall time on CPU and
   * GC's share of its CPU time, per pair (full, empty), where they could be read.
   */
  pairUsage?: PairUsage[];
  p50Ms?: number;
  p99Ms?: number;
  peakRssBytes?: number;
  target?: TargetResult;
}

export interface MachineFacts {
  date: string;
  cpuModel: string;
  cpus: number;
  memoryBytes: number;
  kernel: string;
  node: string;
  h2load?: string;
  pinned: boolean;
  gitCommit?: string;
  gitDirty?: boolean;
  /** The share of the machine's CPU time its hypervisor took during the run (steal, /proc/stat); absent off Linux. */
  stealShare?: number;
}

export interface BenchReport {
  machine: MachineFacts;
  settings: Record<string, unknown>;
  rows: RowResult[];
  /** What could not run here and why (missing tools, no Worker bench). */
  notRun: string[];
  /** Rows that failed: wrong answers, servers that did not start, load errors. */
  failures: string[];
  worker: WorkerOutcome;
}
