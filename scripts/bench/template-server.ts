import { trace } from "@opentelemetry/api";
// The bench's only coupling to src/ (besides generated code): keep it in this file.
import { readOtelSettings } from "../../src/telemetry/otel-env.ts";
import { startNodeMetrics } from "../../src/runtime/node/metrics.ts";
import { readNodeEnv } from "../../src/runtime/node/node-env.ts";
import { batchedDestination } from "../../src/runtime/node/batched-destination.ts";
import { nodeLoggers } from "../../src/runtime/node/pino-loggers.ts";
import { startServer } from "../../src/runtime/node/start-server.ts";
import type { TemplateOptions } from "./server-options.ts";

/**
 * The template as `npm start` serves it: startServer() with the environment read by
 * readNodeEnv (so UNARY_FAST_PATH and CONFIG_* apply as they would), tracing through the
 * API without an SDK (main.ts does the same when no OTLP endpoint is set), and log lines
 * made by main.ts's loggers (nodeLoggers: RPC lines by rpcLogLines, the others by pino) into
 * the destination main.ts writes stdout with (batchedDestination, here into /dev/null), so
 * their serialization and writes are paid as in production; RPC metrics into the metrics SDK
 * (the Prometheus reader of GET /metrics), as main.ts records them. `chain: "empty"` is the same
 * server with no interceptors, to show what the chain costs.
 */
export async function startTemplate(options: TemplateOptions): Promise<Record<string, number>> {
  // Rate limits off: the load generators send tens of thousands of calls per second from
  // one address, far over the default limit (docs/rate-limits.md).
  const env = readNodeEnv({
    CONFIG_RATE_LIMITS_ENABLED: "false",
    ...process.env,
    HOST: "127.0.0.1",
    PORT: "0",
    DATABASE_PATH: options.databasePath,
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
  });
  const { log, configLog } = nodeLoggers(batchedDestination("/dev/null"));
  const metrics = await startNodeMetrics(readOtelSettings({}));
  const server = await startServer(
    env,
    { log, configLog, tracer: trace.getTracer("connect-service-template"), metrics },
    options.chain === "full" ? {} : { interceptors: [] },
  );
  return { port: Number(new URL(server.url).port) };
}
