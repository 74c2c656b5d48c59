import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { trace } from "@opentelemetry/api";
import type { RpcLogEntry } from "../../src/interceptors/logging.ts";
import { type ServerTelemetry, startServer } from "../../src/runtime/node/start-server.ts";

/**
 * A real server on an ephemeral 127.0.0.1 port, with its own SQLite file. Log lines
 * are collected in `logs`; spans go to `telemetry.tracer` (default: the global one).
 */
export async function startTestServer(telemetry: Partial<ServerTelemetry> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "connect-template-"));
  const logs: RpcLogEntry[] = [];
  const server = await startServer(
    { host: "127.0.0.1", port: 0, databasePath: join(dir, "app.db") },
    { log: (entry) => logs.push(entry), tracer: trace.getTracer("test"), ...telemetry },
  );
  return {
    url: server.url,
    dir,
    logs,
    async stop() {
      await server.stop(1_000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
