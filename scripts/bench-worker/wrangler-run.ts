import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Offline and quiet, as the rest of the project runs wrangler. */
export const wranglerEnv = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };

/** Runs wrangler (from node_modules/.bin, first on PATH under npm scripts) and returns what it printed. */
export async function wrangler(args: string[]): Promise<string> {
  const { stdout, stderr } = await run("wrangler", args, { env: wranglerEnv, maxBuffer: 64 * 1024 * 1024 });
  return stdout + stderr;
}

/** "Bundle: 555.31 KiB / gzip: 146.66 KiB" or "Total Upload: …", as KiB. */
export function bundleSizes(output: string): { rawKiB: number; gzipKiB: number } {
  const match = /([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(output);
  if (!match) throw new Error(`no bundle size in wrangler's output:\n${output}`);
  return { rawKiB: Number(match[1]), gzipKiB: Number(match[2]) };
}
