import { type ChildProcess, spawn } from "node:child_process";
import { testAuth } from "./test-auth-key.ts";

// What `npm start` runs: the launcher, which loads the server bundle (rebuilt when stale).
const main = new URL("../../src/runtime/node/start.cjs", import.meta.url).pathname;

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** Everything the process printed on stdout so far. */
  stdout(): string;
  /** Sends a signal and resolves to the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts the real entry point (what `npm start` runs) on a free port and waits for its
 * address. It trusts the test key of test-auth-key.ts unless `env` sets AUTH_* ("" unsets).
 */
export function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, HOST: "127.0.0.1", PORT: "0", ...testAuth.vars, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const onOutput = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        resolve({
          child,
          url: match[1],
          stdout: () => stdout,
          stop(signal = "SIGTERM") {
            child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      onOutput(chunk);
    });
    child.stderr.on("data", onOutput);
    exited.then((code) => reject(new Error(`exited with ${code}: ${output}`)));
  });
}
