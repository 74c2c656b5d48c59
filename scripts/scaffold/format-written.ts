import { spawnSync } from "node:child_process";

/**
 * Formats and lint-fixes the TypeScript files a scaffolder wrote or edited, with the
 * project's Biome config (`npm run lint`), so the result passes CI as written. The
 * templates stay readable instead of mirroring every formatter rule.
 */
export function formatWritten(paths: readonly string[]): void {
  const typescript = paths.filter((path) => path.endsWith(".ts"));
  if (typescript.length === 0) return;
  const result = spawnSync("npx", ["biome", "check", "--write", "--vcs-enabled=false", ...typescript], { encoding: "utf8" });
  if (result.status !== 0) {
    console.error(`biome could not format what was written (run npm run lint:fix):\n${result.stdout}${result.stderr}`);
  }
}
