import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { startWranglerDev } from "./wrangler-run.ts";

export interface CpuPerRequest {
  /** CPU time of the workerd process per request, steady state, in ms. */
  cpuMsPerRequest: number;
  /** CPU time of the workerd process for the first request the Worker gets, in ms. */
  firstRequestCpuMs: number;
  requests: number;
}

export interface CpuProbe {
  /** The Worker's directory (its wrangler.toml). */
  dir: string;
  /** Apply the D1 migrations to the local state first. */
  migrate: boolean;
  /** Worker vars for wrangler dev (--var), e.g. the AUTH_* the bench's token needs. */
  vars?: Readonly<Record<string, string>>;
  /** The first request the Worker gets (any status). */
  first: (baseUrl: string) => Promise<Response>;
  /** Requests sent once after the first one (they may create what the measured one reads). */
  setup: (baseUrl: string) => Promise<void>;
  /** One measured request; must answer 200. */
  request: (baseUrl: string) => Promise<Response>;
  requests: number;
}

/**
 * CPU per request in workerd: `wrangler dev` serves the Worker locally, and the CPU time
 * of the workerd process running it (all threads, from /proc/PID/task/TID/schedstat, in
 * ns) is read around (1) the Worker's first request, and (2) `requests` requests, 8 at a
 * time, after a warm-up, divided by their number. Both include workerd's own HTTP
 * handling, the same for every Worker measured this way, and local D1 and KV, which
 * wrangler dev simulates in the same process. Not included: wrangler dev's proxy, a
 * second workerd process in front.
 */
export async function measureCpuPerRequest(probe: CpuProbe): Promise<CpuPerRequest> {
  const dev = await startWranglerDev({ dir: probe.dir, migrate: probe.migrate, ...(probe.vars ? { vars: probe.vars } : {}) });
  try {
    const { baseUrl } = dev;
    const workerd = workerdPid(dev.child.pid!, Number(new URL(baseUrl).port));
    await settle(workerd);
    const beforeFirst = cpuNs(workerd);
    await (await probe.first(baseUrl)).arrayBuffer();
    const firstRequestCpuMs = (cpuNs(workerd) - beforeFirst) / 1e6;
    await probe.setup(baseUrl);
    await load(baseUrl, probe, Math.min(500, probe.requests));
    const before = cpuNs(workerd);
    await load(baseUrl, probe, probe.requests);
    const perRequestMs = (cpuNs(workerd) - before) / 1e6 / probe.requests;
    return { cpuMsPerRequest: round(perRequestMs, 3), firstRequestCpuMs: round(firstRequestCpuMs, 1), requests: probe.requests };
  } finally {
    await dev.stop();
  }
}

async function load(baseUrl: string, probe: CpuProbe, count: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next++ < count) {
      const response = await probe.request(baseUrl);
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`request answered ${response.status}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** CPU time of every thread of a process, in ns. */
function cpuNs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // The thread ended between listing and reading.
    }
  }
  return ns;
}

/** Waits until workerd has been idle for a moment (wrangler dev may still be loading it). */
async function settle(pid: number): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const before = cpuNs(pid);
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (cpuNs(pid) - before < 1e6) return;
  }
}

/**
 * The workerd process running the Worker. wrangler dev starts two under `root`: one
 * serving `port` (its proxy Worker, which forwards each request) and one running the
 * Worker itself; the latter is measured.
 */
function workerdPid(root: number, port: number): number {
  const rows = execFileSync("ps", ["-e", "-o", "pid=,ppid=,comm="], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .map(([pid, ppid, comm]) => ({ pid: Number(pid), ppid: Number(ppid), comm: comm ?? "" }));
  const descendants = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const row of rows) {
      if (descendants.has(row.ppid) && !descendants.has(row.pid)) {
        descendants.add(row.pid);
        grew = true;
      }
    }
  }
  const workerds = rows.filter((row) => descendants.has(row.pid) && row.comm === "workerd").map((row) => row.pid);
  const proxy = `entry=127.0.0.1:${port} `;
  const worker = workerds.filter((pid) => !readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").includes(proxy));
  if (worker.length !== 1)
    throw new Error(`expected one workerd running the Worker under wrangler dev, found ${worker.length} of ${workerds.length}`);
  return worker[0]!;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
