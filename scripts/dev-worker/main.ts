// `npm run dev:worker [-- wrangler dev options]`: local D1 migrated, then `wrangler dev` on
// 127.0.0.1:8787 trusting the development key that `npm run token` signs with (as `npm
// start` does on loopback), unless AUTH_ISSUER is set in the environment or .dev.vars.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { declaredScopes } from "../../src/auth/declared-scopes.ts";
import { devAuthSettings } from "../../src/runtime/node/dev-auth.ts";
import { serviceTable } from "../../src/service-table.ts";
import { buildWorkerChunks } from "../worker-chunks/build.ts";

const args = process.argv.slice(2);
const optionValue = (name: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};

const configured =
  Boolean(process.env.AUTH_ISSUER) || (existsSync(".dev.vars") && /^AUTH_ISSUER\s*=/m.test(readFileSync(".dev.vars", "utf8")));
const vars: string[] = [];
if (!configured) {
  const settings = await devAuthSettings(process.env.AUTH_DEV_KEY_FILE || undefined);
  const jwks = "jwks" in settings.keys ? settings.keys.jwks : "";
  vars.push("--var", `AUTH_ISSUER:${settings.issuer}`, "--var", `AUTH_AUDIENCE:${settings.audience}`, "--var", `AUTH_JWKS:${jwks}`);
  const scopes = declaredScopes(serviceTable.map((s) => s.service)).join(" ");
  console.log(`auth: trusting the development key; mint a token with: npm run token -- --sub ada --scopes "${scopes}"`);
}

// The Worker's modules imported on demand (MCP, tracing) from the current sources.
await buildWorkerChunks();

const persist = optionValue("--persist-to");
const migrate = spawnSync("wrangler", ["d1", "migrations", "apply", "DB", "--local", ...(persist ? ["--persist-to", persist] : [])], {
  stdio: "inherit",
});
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const defaults = [...(args.includes("--ip") ? [] : ["--ip", "127.0.0.1"]), ...(args.includes("--port") ? [] : ["--port", "8787"])];
const dev = spawn("wrangler", ["dev", ...defaults, ...vars, ...args], { stdio: "inherit" });
// A supervisor (or a test) stopping this script stops wrangler too.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => dev.kill(signal));
dev.once("exit", (code) => process.exit(code ?? 1));
