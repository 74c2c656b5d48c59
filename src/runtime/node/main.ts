import { readOtelSettings } from "../../telemetry/otel-env.ts";
import { readNodeEnv } from "./node-env.ts";
import { createPino, pinoConfigLog, pinoRpcLogger } from "./pino-loggers.ts";
import { type RunningServer, startServer } from "./start-server.ts";
import { startNodeTracing } from "./tracing.ts";

// `npm start`: serve until SIGTERM/SIGINT, then drain, flush spans and exit.
try {
  const env = readNodeEnv(process.env);
  const logger = createPino();
  let server: RunningServer | undefined;
  // The sampling ratio is runtime config: the sampler asks the current snapshot.
  const tracing = startNodeTracing(readOtelSettings(process.env), {
    sampleRatio: () => server?.config().observability?.traceSampleRatio ?? 1,
  });
  server = await startServer(env, { log: pinoRpcLogger(logger), configLog: pinoConfigLog(logger), tracer: tracing.tracer });
  const running = server;
  console.log(`listening on ${running.url}`);
  const shutdown = (signal: string) => {
    console.log(`${signal} received, draining`);
    running
      .stop()
      .then(() => tracing.shutdown())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          console.error("shutdown failed:", error);
          process.exit(1);
        },
      );
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
} catch (error) {
  console.error(`failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
