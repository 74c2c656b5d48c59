import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { nodeFlags } from "../../src/runtime/node/node-flags.mjs";
import { type ServerUsage, cpuMsOf } from "./server-usage.ts";
import { type BenchTools, onCore } from "./tools.ts";

const entry = new URL("../bench-server.ts", import.meta.url).pathname;

/** A bench server process (scripts/bench-server.ts), pinned to CPU 0. */
export interface ServerProcess {
  kind: string;
  pid: number;
  ports: Record<string, number>;
  /** CPU and GC time used so far (scripts/bench/server-usage.ts). */
  usage(): Promise<ServerUsage>;
  stop(): Promise<void>;
}

/** How long a server may take to answer "usage" before its GC time counts as unknown. */
const usageTimeoutMs = 5000;

/**
 * The command line of one server kind, on CPU 0. The template runs with `npm start`'s Node
 * flags (node-flags.mjs), as it is served; the anchors as their users would start them.
 */
export function serverArgv(tools: BenchTools, kind: string, options: object = {}): string[] {
  const flags = kind === "template" ? nodeFlags : [];
  return onCore(tools, 0, [process.execPath, ...flags, entry, kind, JSON.stringify(options)]);
}

/** Starts one server kind and waits for its ports; fails with its stderr if it exits first. */
export function startServerProcess(tools: BenchTools, kind: string, options: object = {}, timeoutMs = 60_000): Promise<ServerProcess> {
  const argv = serverArgv(tools, kind, options);
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // Its first stdout line gives the ports; later ones answer "usage", in the order asked.
  const lines = createInterface({ input: child.stdout });
  const waiting: ((gcMs: number | undefined) => void)[] = [];
  let gcAnswers = true;
  const askGc = () =>
    new Promise<number | undefined>((answered) => {
      if (!gcAnswers || child.exitCode !== null || child.signalCode !== null) return answered(undefined);
      const late = setTimeout(() => {
        // No answer: stop asking, so a late one cannot answer a later question.
        gcAnswers = false;
        answered(undefined);
      }, usageTimeoutMs);
      waiting.push((gcMs) => {
        clearTimeout(late);
        answered(gcMs);
      });
      child.stdin.write("usage\n");
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`${kind} server did not start within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${kind} server exited with ${code}: ${stderr.trim()}`));
    });
    let started = false;
    lines.on("line", (line) => {
      if (started) {
        if (line.startsWith('{"gcMs":')) waiting.shift()?.((JSON.parse(line) as { gcMs: number }).gcMs);
        return;
      }
      const pid = child.pid;
      if (!line || pid === undefined) return;
      started = true;
      clearTimeout(timer);
      resolve({
        kind,
        pid,
        ports: (JSON.parse(line) as { ports: Record<string, number> }).ports,
        async usage() {
          const gcMs = await askGc();
          const cpuMs = cpuMsOf(pid);
          return { ...(cpuMs !== undefined ? { cpuMs } : {}), ...(gcMs !== undefined ? { gcMs } : {}) };
        },
        async stop() {
          child.stdin.end(); // the server exits when its stdin closes
          const killer = setTimeout(() => child.kill("SIGKILL"), 5000);
          await exited;
          clearTimeout(killer);
        },
      });
    });
  });
}
