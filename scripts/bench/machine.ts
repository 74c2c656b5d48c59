import { spawnSync } from "node:child_process";
import os from "node:os";
import type { MachineFacts } from "./results.ts";
import { projectRoot } from "./settings.ts";
import type { BenchTools } from "./tools.ts";

/** What a reader needs to compare two runs: the machine, the Node, the commit. */
export function machineFacts(tools: BenchTools, stealShare?: number): MachineFacts {
  const git = (...args: string[]) => {
    const result = spawnSync("git", args, { cwd: projectRoot, encoding: "utf8" });
    return result.status === 0 ? result.stdout.trim() : undefined;
  };
  const commit = git("rev-parse", "HEAD");
  const status = git("status", "--porcelain", "--untracked-files=no");
  return {
    date: new Date().toISOString(),
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    cpus: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    ...(tools.h2load ? { h2load: tools.h2load } : {}),
    pinned: tools.pinned,
    ...(commit ? { gitCommit: commit } : {}),
    ...(status !== undefined ? { gitDirty: status.length > 0 } : {}),
    ...(stealShare !== undefined ? { stealShare } : {}),
  };
}
