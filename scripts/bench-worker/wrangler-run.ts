import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

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

/** "Bundle: 555.31 KiB / gzip: 146.66 KiB" or "Total Upload: …", as KiB. */
export function bundleSizes(output: string): { rawKiB: number; gzipKiB: number } {
  const match = /([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(output);
  if (!match) throw new Error(`no bundle size in wrangler's output:\n${output}`);
  return { rawKiB: Number(match[1]), gzipKiB: Number(match[2]) };
}
