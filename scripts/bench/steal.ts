import { readFileSync } from "node:fs";

/** The machine's CPU time so far, in clock ticks: all of it, and what the hypervisor took (steal). */
export interface CpuTicks {
  total: number;
  steal: number;
}

/**
 * The first line of /proc/stat ("cpu  user nice system idle iowait irq softirq steal
 * guest guest_nice", in ticks), summed over every CPU; undefined off Linux or when it
 * cannot be read. Guest time is already counted in user time, so it is not added again.
 */
export function parseCpuTicks(procStat: string): CpuTicks | undefined {
  const line = procStat.split("\n", 1)[0] ?? "";
  const fields = line.trim().split(/\s+/);
  if (fields[0] !== "cpu" || fields.length < 9) return undefined;
  const ticks = fields.slice(1, 9).map(Number);
  if (ticks.some((tick) => !Number.isFinite(tick))) return undefined;
  return { total: ticks.reduce((sum, tick) => sum + tick, 0), steal: ticks[7]! };
}

export function readCpuTicks(): CpuTicks | undefined {
  try {
    return parseCpuTicks(readFileSync("/proc/stat", "utf8"));
  } catch {
    return undefined;
  }
}

/**
 * The share of the machine's CPU time the hypervisor gave to other guests between two
 * readings (0 on bare metal or an idle host). A VM whose host is busy runs every row
 * slower by turns, so the bench reports it with the machine: see docs/performance.md.
 */
export function stealShare(before: CpuTicks | undefined, after: CpuTicks | undefined): number | undefined {
  if (!before || !after) return undefined;
  const total = after.total - before.total;
  return total > 0 ? (after.steal - before.steal) / total : undefined;
}
