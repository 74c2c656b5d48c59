import { type ChildProcess, execFile, spawn } from "node:child_process";
import net from "node:net";
import { promisify } from "node:util";
import { testAuth } from "./test-auth-key.ts";

const run = promisify(execFile);
const quiet = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * What `npm run dev:worker` does, with state in `stateDir`: local D1 migrated by
 * wrangler, then `wrangler dev` on a free port. `vars` become Worker vars (--var); the
 * Worker trusts the test key of test-auth-key.ts unless `vars` set AUTH_*.
 */
export async function startWranglerDev(stateDir: string, vars: Record<string, string> = {}) {
  await run("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--persist-to", stateDir], { env: quiet });
  const port = await freePort();
  const child: ChildProcess = spawn(
    "wrangler",
    [
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      "0",
      "--persist-to",
      stateDir,
      ...Object.entries({ ...testAuth.vars, ...vars }).flatMap(([key, value]) => ["--var", `${key}:${value}`]),
    ],
    { env: quiet, stdio: ["ignore", "pipe", "pipe"] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let output = "";
    const onOutput = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready on")) resolve(`http://127.0.0.1:${port}`);
    };
    child.stdout?.on("data", onOutput);
    child.stderr?.on("data", onOutput);
    child.once("exit", (code) => reject(new Error(`wrangler dev exited with ${code}: ${output}`)));
  });
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
