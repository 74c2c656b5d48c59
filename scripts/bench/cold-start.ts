import { spawn } from "node:child_process";
import { once } from "node:events";
import http from "node:http";
import net from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { type BenchTools, onCore } from "./tools.ts";

/** An HTTP request that counts as "the server is up" when it gets this status. */
export interface Probe {
  method: "GET" | "POST";
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** A port that was free a moment ago: the process under test must bind it itself. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, "close");
  return port;
}

function answers(port: number, probe: Probe): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.request(
      { host: "127.0.0.1", port, method: probe.method, path: probe.path, headers: probe.headers, agent: false, timeout: 1000 },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode === 200));
        res.on("error", () => resolve(false));
      },
    );
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
    req.end(probe.body);
  });
}

/**
 * Milliseconds from spawning `argv` (on CPU 0) to its first 200 answer to `probe`,
 * polled every 5 ms; then the process is stopped. `env(port)` gives its environment.
 */
export async function timeColdStart(
  tools: BenchTools,
  argv: readonly string[],
  env: (port: number) => NodeJS.ProcessEnv,
  probe: Probe,
  cwd: string,
  timeoutMs = 30_000,
): Promise<number> {
  const port = await freePort();
  const command = onCore(tools, 0, argv);
  const start = performance.now();
  const child = spawn(command[0]!, command.slice(1), { env: env(port), cwd, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once("exit", (code) => {
      exitCode = code;
      resolve();
    }),
  );
  try {
    for (;;) {
      if (await answers(port, probe)) return performance.now() - start;
      if (exitCode !== undefined) throw new Error(`exited with ${exitCode} before answering: ${stderr.trim()}`);
      if (performance.now() - start > timeoutMs) throw new Error(`no answer within ${timeoutMs} ms: ${stderr.trim()}`);
      await sleep(5);
    }
  } finally {
    if (exitCode === undefined) {
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(killer);
    }
  }
}
