import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

/**
 * What a bench server has used so far: CPU time from /proc (Linux), and the time its own
 * V8 spent in garbage collection (scripts/bench-server.ts reports it). Either is
 * undefined where it cannot be read.
 */
export interface ServerUsage {
  cpuMs?: number;
  gcMs?: number;
}

/** One server's use of one slice of load: its share of the wall time on CPU, and GC's share of its CPU time. */
export interface SliceUsage {
  cpuShare?: number;
  gcShare?: number;
}

let ticksPerSecond: number | undefined;

/** utime + stime of `pid` in ms, from /proc/PID/stat; undefined off Linux or once the process is gone. */
export function cpuMsOf(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // Fields after the command (which may hold spaces, in brackets): utime and stime are
  // the 14th and 15th of the line, the 12th and 13th after ") ".
  const fields = stat.slice(stat.lastIndexOf(") ") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  if (!Number.isFinite(ticks)) return undefined;
  ticksPerSecond ??= Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;
  return (ticks * 1000) / ticksPerSecond;
}

/** A slice's usage from the readings before and after it, `wallMs` apart. */
export function sliceUsage(before: ServerUsage, after: ServerUsage, wallMs: number): SliceUsage {
  const cpuMs = before.cpuMs !== undefined && after.cpuMs !== undefined ? after.cpuMs - before.cpuMs : undefined;
  const gcMs = before.gcMs !== undefined && after.gcMs !== undefined ? after.gcMs - before.gcMs : undefined;
  return {
    ...(cpuMs !== undefined && wallMs > 0 ? { cpuShare: cpuMs / wallMs } : {}),
    ...(cpuMs !== undefined && gcMs !== undefined && cpuMs > 0 ? { gcShare: gcMs / cpuMs } : {}),
  };
}
