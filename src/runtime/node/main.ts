// src/runtime/node/: everything Node-only: the process entry (this file), the one-port
// HTTP/1.1 + h2c server, the unary fast path, SQLite, probes, metrics. docs/runtimes.md.

import { trace } from "@opentelemetry/api";
import { readOtelSettings } from "../../telemetry/otel-env.ts";
import { startNodeMetrics } from "./metrics.ts";
import { describeAuth } from "./describe-auth.ts";
import { readNodeEnv } from "./node-env.ts";
import { batchedDestination } from "./batched-destination.ts";
import { nodeLoggers } from "./pino-loggers.ts";
import { openServerState, startServer } from "./start-server.ts";
import type { NodeTracing } from "./tracing.ts";

// The server process (`npm start` runs it through start.cjs and bundle-loader.cjs): serve
// until SIGTERM/SIGINT, then drain, flush spans and exit. A function rather than top-level
// await: the bundle `npm start` loads is CommonJS (server-bundle.ts), which has none.
void main();

async function main(): Promise<void> {
  try {
    const env = readNodeEnv(process.env);
    const settings = readOtelSettings(process.env);
    const logLines = batchedDestination();
    const { log, configLog, serverLog } = nodeLoggers(logLines);
    // The database and config first: the one config store feeds the sampler and the server.
    const state = await openServerState(env, configLog, serverLog);
    // The OpenTelemetry SDK is loaded only when spans are exported: without an endpoint the
    // API's no-op tracer does (the tracing interceptor still gives every call W3C ids).
    // The sampling ratio is runtime config: the sampler asks the current snapshot.
    const tracing: NodeTracing = settings.tracesUrl
      ? (await import("./tracing.ts")).startNodeTracing(settings, {
          sampleRatio: () => state.config.current().observability?.traceSampleRatio ?? 1,
        })
      : { tracer: trace.getTracer("connect-service-template"), flush: async () => {}, shutdown: async () => {} };
    // Metrics are always on: GET /metrics on the server's port, plus OTLP with an endpoint.
    const metrics = await startNodeMetrics(settings);
    const running = await startServer(env, { log, configLog, serverLog, tracer: tracing.tracer, metrics }, {}, state);
    // Shutdown (docs/health-and-shutdown.md): not ready at once, keep serving for
    // SHUTDOWN_DELAY_MS while load balancers notice, then stop accepting and drain calls for
    // up to SHUTDOWN_GRACE_MS, flush telemetry, close the database, exit 0. A second signal
    // exits at once.
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) {
        console.error(`${signal} received again, exiting now`);
        process.exit(1);
      }
      stopping = true;
      console.log(`${signal} received, draining (delay ${env.shutdownDelayMs} ms, grace ${env.shutdownGraceMs} ms)`);
      running.readiness.drain();
      new Promise((resolve) => setTimeout(resolve, env.shutdownDelayMs))
        .then(() => running.stop(env.shutdownGraceMs))
        .then(() => Promise.all([tracing.shutdown(), metrics.shutdown()]))
        .then(
          () => {
            console.log("drained, exiting");
            process.exit(0);
          },
          (error: unknown) => {
            console.error("shutdown failed:", error);
            process.exit(1);
          },
        );
    };
    process.on("SIGTERM", shutdown);
    process.on("SIGINT", shutdown);
    // Start-up's log lines (config warnings, say) out before the lines that say it is up.
    logLines.flushSync();
    console.log(describeAuth(env));
    // Printed last: whoever waits for this line may signal at once (tests, supervisors).
    console.log(`listening on ${running.url}`);
  } catch (error) {
    console.error(`failed to start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
