import { join } from "node:path";

/** What one `npm run bench` does, from BENCH_* environment variables. */
export interface BenchSettings {
  smoke: boolean;
  /** Runs per row; each row reports the median. */
  runs: number;
  /**
   * Unary rounds run before the measured ones, their numbers discarded: a server's first
   * ~10 s under load ran at two thirds of its later speed (most likely V8 compiling its
   * hot code on the one core the server is pinned to).
   */
  warmUpRounds: number;
  /** Measured seconds per run (h2load -D). */
  seconds: number;
  /** Seconds of load before each run's measurement starts (h2load --warm-up-time). */
  warmUpSeconds: number;
  /** Slice pairs that measure the interceptor chain's cost (run-chain-pairs.ts; 0: from the rounds only). */
  chainPairs: number;
  /** Measured seconds per slice of those pairs. */
  chainSeconds: number;
  /** Users in the database, all streamed by each ExportUsers call. */
  exportUsers: number;
  /** Concurrent ExportUsers streams. */
  streams: number;
  /** Starts timed per cold-start row. */
  coldRuns: number;
  /** Where latest.json and latest.svg go. */
  outDir: string;
  /** How long the Worker rows may take before they are reported as not run. */
  workerTimeoutMs: number;
}

const root = new URL("../../", import.meta.url).pathname;

function positive(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${name} must be a positive number, got "${raw}"`);
  }
  return value;
}

function nonNegative(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number, 0 or more, got "${raw}"`);
  return value;
}

export function readBenchSettings(env: Record<string, string | undefined>): BenchSettings {
  const smoke = env.BENCH_SMOKE === "1";
  // Smoke mode proves every part runs end to end; its numbers mean nothing.
  return {
    smoke,
    runs: Math.round(positive(env, "BENCH_RUNS", smoke ? 1 : 3)),
    warmUpRounds: nonNegative(env, "BENCH_WARMUP_ROUNDS", 1),
    seconds: positive(env, "BENCH_SECONDS", smoke ? 0.5 : 8),
    warmUpSeconds: positive(env, "BENCH_WARMUP_SECONDS", smoke ? 0.2 : 2),
    chainPairs: nonNegative(env, "BENCH_CHAIN_PAIRS", smoke ? 1 : 11),
    chainSeconds: positive(env, "BENCH_CHAIN_SECONDS", smoke ? 0.3 : 2),
    exportUsers: Math.round(positive(env, "BENCH_EXPORT_USERS", 1000)),
    streams: Math.round(positive(env, "BENCH_STREAMS", smoke ? 2 : 8)),
    coldRuns: Math.round(positive(env, "BENCH_COLD_RUNS", smoke ? 1 : 5)),
    outDir: env.BENCH_OUT_DIR || join(root, "bench-results"),
    // Smoke mode still runs wrangler five times (check startup x2, migrations, dev x2) and
    // esbuild once: ~30 s on an idle 2-core VM. Its limit only catches a hang.
    workerTimeoutMs: positive(env, "BENCH_WORKER_TIMEOUT_MS", smoke ? 150_000 : 600_000),
  };
}

export const projectRoot = root;
