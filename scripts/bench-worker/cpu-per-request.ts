import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { wrangler, wranglerEnv } from "./wrangler-run.ts";

export interface CpuPerRequest {
  /** CPU time of the workerd process per request (user + system), in ms. */
  cpuMsPerRequest: number;
  requests: number;
}

export interface CpuProbe {
  config: string;
  /** Apply the D1 migrations to the local state first. */
  migrate: boolean;
  /** Requests sent once before measuring (they may create what the measured one reads). */
  setup: (baseUrl: string) => Promise<void>;
  /** One measured request; must answer 200. */
  request: (baseUrl: string) => Promise<Response>;
  requests: number;
}

/**
 * CPU per request in workerd: `wrangler dev` serves the Worker locally; the workerd
 * process's CPU time (/proc/PID/stat, user + system) is read before and after `requests`
 * requests (8 at a time, after a warm-up) and divided by their number. It includes
 * workerd's own HTTP handling, the same for every Worker measured this way.
 */
export async function measureCpuPerRequest(probe: CpuProbe): Promise<CpuPerRequest> {
  const state = mkdtempSync(join(tmpdir(), "worker-cpu-"));
  let dev: ChildProcess | undefined;
  try {
    if (probe.migrate) await wrangler(["d1", "migrations", "apply", "DB", "--local", "--config", probe.config, "--persist-to", state]);
    const port = await freePort();
    dev = spawn(
      "wrangler",
      ["dev", "--config", probe.config, "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", "0", "--persist-to", state],
      { env: wranglerEnv, stdio: ["ignore", "pipe", "pipe"] },
    );
    await ready(dev);
    const baseUrl = `http://127.0.0.1:${port}`;
    const workerd = workerdPid(dev.pid!);
    await probe.setup(baseUrl);
    await load(baseUrl, probe, Math.min(500, probe.requests));
    const before = cpuTicks(workerd);
    await load(baseUrl, probe, probe.requests);
    const ticks = cpuTicks(workerd) - before;
    const tickMs = 1000 / Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
    return { cpuMsPerRequest: Math.round(((ticks * tickMs) / probe.requests) * 1000) / 1000, requests: probe.requests };
  } finally {
    if (dev && dev.exitCode === null) {
      const exited = new Promise((resolve) => dev?.once("exit", resolve));
      dev.kill("SIGTERM");
      await exited;
    }
    rmSync(state, { recursive: true, force: true });
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

/** utime + stime of a process, in clock ticks. */
function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

/** The workerd process wrangler dev started (a descendant of `root`). */
function workerdPid(root: number): number {
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
  const found = rows.find((row) => descendants.has(row.pid) && row.comm === "workerd");
  if (!found) throw new Error("no workerd process under wrangler dev");
  return found.pid;
}

function ready(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = "";
    const onOutput = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready on")) resolve();
    };
    child.stdout?.on("data", onOutput);
    child.stderr?.on("data", onOutput);
    child.once("exit", (code) => reject(new Error(`wrangler dev exited with ${code}: ${output}`)));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
