import { spawn } from "node:child_process";
import { nodeFlags } from "../../src/runtime/node/node-flags.mjs";
import { type BenchTools, onCore } from "./tools.ts";

const entry = new URL("../bench-server.ts", import.meta.url).pathname;

/** A bench server process (scripts/bench-server.ts), pinned to CPU 0. */
export interface ServerProcess {
  kind: string;
  pid: number;
  ports: Record<string, number>;
  stop(): Promise<void>;
}

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
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
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
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split("\n")[0];
      if (stdout.includes("\n") && line && child.pid) {
        clearTimeout(timer);
        child.stdout.removeAllListeners("data");
        child.stdout.resume();
        resolve({
          kind,
          pid: child.pid,
          ports: (JSON.parse(line) as { ports: Record<string, number> }).ports,
          async stop() {
            child.stdin.end(); // the server exits when its stdin closes
            const killer = setTimeout(() => child.kill("SIGKILL"), 5000);
            await exited;
            clearTimeout(killer);
          },
        });
      }
    });
  });
}
