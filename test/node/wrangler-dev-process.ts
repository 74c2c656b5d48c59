import { fileURLToPath } from "node:url";
import { startWranglerDev as startDev } from "../../scripts/bench-worker/wrangler-run.ts";
import { testAuth } from "./test-auth-key.ts";

const projectRoot = fileURLToPath(new URL("../../", import.meta.url));

/**
 * What `npm run dev:worker` does, with state in `stateDir`: local D1 migrated by
 * wrangler, then `wrangler dev` on a free port (scripts/bench-worker/wrangler-run.ts, as
 * the Worker bench starts it). `vars` become Worker vars (--var); the Worker trusts the
 * test key of test-auth-key.ts unless `vars` set AUTH_*.
 */
export async function startWranglerDev(stateDir: string, vars: Record<string, string> = {}) {
  const dev = await startDev({ dir: projectRoot, migrate: true, stateDir, vars: { ...testAuth.vars, ...vars } });
  return { url: dev.baseUrl, stop: dev.stop };
}
