import { readOtelSettings } from "../../telemetry/otel-env.ts";
import { readNodeEnv } from "./node-env.ts";
import { pinoRpcLogger } from "./pino-rpc-logger.ts";
import { startServer } from "./start-server.ts";
import { startNodeTracing } from "./tracing.ts";

// `npm start`: serve until SIGTERM/SIGINT, then drain, flush spans and exit.
try {
  const env = readNodeEnv(process.env);
  const tracing = startNodeTracing(readOtelSettings(process.env));
  const server = await startServer(env, { log: pinoRpcLogger(), tracer: tracing.tracer });
  console.log(`listening on ${server.url}`);
  const shutdown = (signal: string) => {
    console.log(`${signal} received, draining`);
    server
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
