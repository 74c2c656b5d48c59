import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";

/** What the machine offers the bench, and why something is missing. */
export interface BenchTools {
  /** `h2load --version` output, or undefined when it is not installed. */
  h2load?: string;
  /** Servers on CPU 0 and load generators on CPU 1 (taskset, at least 2 CPUs). */
  pinned: boolean;
  /** Reasons for what cannot run, printed and written to latest.json. */
  missing: string[];
}

/** `h2load` from PATH, or BENCH_H2LOAD (a path; a missing one shows what happens without it). */
export const h2loadCommand = process.env.BENCH_H2LOAD || "h2load";

export function detectTools(): BenchTools {
  const missing: string[] = [];
  const h2 = spawnSync(h2loadCommand, ["--version"], { encoding: "utf8" });
  const h2load = h2.error || h2.status !== 0 ? undefined : h2.stdout.trim();
  if (!h2load) {
    missing.push(`${h2loadCommand} not found (Debian/Ubuntu: apt-get install nghttp2-client): no unary rows`);
  }
  let pinned = false;
  if (availableParallelism() < 2) {
    missing.push(`only ${availableParallelism()} CPU: servers and load generators are not pinned apart`);
  } else if (spawnSync("taskset", ["-c", "1", "true"]).status !== 0) {
    missing.push("taskset not found (util-linux) or CPU 1 not allowed: servers and load generators are not pinned");
  } else {
    pinned = true;
  }
  return { ...(h2load ? { h2load } : {}), pinned, missing };
}

/** CPU 0 runs the server under test, CPU 1 whatever loads it. */
export type Core = 0 | 1;

/** `argv` run on one CPU (taskset execs it: the pid stays the command's own). */
export function onCore(tools: BenchTools, core: Core, argv: readonly string[]): string[] {
  return tools.pinned ? ["taskset", "-c", String(core), ...argv] : [...argv];
}
