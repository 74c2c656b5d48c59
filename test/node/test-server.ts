import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { trace } from "@opentelemetry/api";
import type { RpcLogEntry } from "../../src/interceptors/logging.ts";
import { readNodeEnv } from "../../src/runtime/node/node-env.ts";
import { type ServerTelemetry, startServer } from "../../src/runtime/node/start-server.ts";
import { testAuth } from "./test-auth-key.ts";

/**
 * A real server on an ephemeral 127.0.0.1 port, with its own SQLite file. Log lines
 * are collected in `logs`; spans go to `telemetry.tracer` (default: the global one);
 * `vars` are extra environment variables (CONFIG_* and such). It trusts the test
 * key of test-auth-key.ts (`auth`; its `bearer` holds every scope) unless `vars` set AUTH_*.
 */
export async function startTestServer(telemetry: Partial<ServerTelemetry> = {}, vars: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "connect-template-"));
  const logs: RpcLogEntry[] = [];
  const server = await startServer(
    readNodeEnv({ HOST: "127.0.0.1", PORT: "0", DATABASE_PATH: join(dir, "app.db"), ...testAuth.vars, ...vars }),
    { log: (entry) => logs.push(entry), configLog: () => {}, tracer: trace.getTracer("test"), ...telemetry },
  );
  return {
    url: server.url,
    auth: testAuth,
    dir,
    logs,
    async stop() {
      await server.stop(1_000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
