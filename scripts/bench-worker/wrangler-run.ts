import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "../bench/cold-start.ts";

const run = promisify(execFile);

/** Offline and quiet, as the rest of the project runs wrangler. */
export const wranglerEnv = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };

// The project's wrangler, run by the Node running this script: `node scripts/bench-worker/main.ts`
// then works without npm putting node_modules/.bin first on PATH.
const wranglerBin = join(dirname(createRequire(import.meta.url).resolve("wrangler/package.json")), "bin/wrangler.js");

/** Runs wrangler to completion and returns what it printed (stdout, then stderr). */
export async function wrangler(args: string[], cwd?: string): Promise<string> {
  const { stdout, stderr } = await run(process.execPath, [wranglerBin, ...args], {
    env: wranglerEnv,
    cwd,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout + stderr;
}

/** Starts a long-running wrangler command (`wrangler dev`). */
export function spawnWrangler(args: string[]): ChildProcess {
  return spawn(process.execPath, [wranglerBin, ...args], { env: wranglerEnv, stdio: ["ignore", "pipe", "pipe"] });
}

/** A Worker served by `wrangler dev` on 127.0.0.1. */
export interface WranglerDev {
  baseUrl: string;
  /** The wrangler process (its workerd processes are its descendants). */
  child: ChildProcess;
  /** Stops wrangler dev, and removes the local state if it made it. */
  stop(): Promise<void>;
}

export interface WranglerDevOptions {
  /** The Worker's directory (its wrangler.toml). */
  dir: string;
  /** Apply the D1 migrations to the local state first. */
  migrate: boolean;
  /** Worker vars (--var), e.g. the AUTH_* the bench's token needs. */
  vars?: Readonly<Record<string, string>>;
  /** The DevTools inspector's port (0: any). */
  inspectorPort?: number;
  /** Local state (D1, KV) in this directory, which the caller keeps; default a fresh temp dir, removed by stop(). */
  stateDir?: string;
}

/** Starts `wrangler dev` on a free port (by default on a fresh local state), and waits until it is ready. */
export async function startWranglerDev(options: WranglerDevOptions): Promise<WranglerDev> {
  const state = options.stateDir ?? mkdtempSync(join(tmpdir(), "wrangler-dev-"));
  let child: ChildProcess | undefined;
  const stop = async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    if (options.stateDir === undefined) rmSync(state, { recursive: true, force: true });
  };
  try {
    if (options.migrate) await wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", state], options.dir);
    const port = await freePort();
    child = spawnWrangler([
      "dev",
      "--cwd",
      options.dir,
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      String(options.inspectorPort ?? 0),
      "--persist-to",
      state,
      ...Object.entries(options.vars ?? {}).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
    ]);
    await ready(child);
    return { baseUrl: `http://127.0.0.1:${port}`, child, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Resolves once wrangler dev says "Ready on"; fails with its output if it exits first. */
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

/** "Bundle: 555.31 KiB / gzip: 146.66 KiB" or "Total Upload: …", as KiB. */
export function bundleSizes(output: string): { rawKiB: number; gzipKiB: number } {
  const match = /([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(output);
  if (!match) throw new Error(`no bundle size in wrangler's output:\n${output}`);
  return { rawKiB: Number(match[1]), gzipKiB: Number(match[2]) };
}
