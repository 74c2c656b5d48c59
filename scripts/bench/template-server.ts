import { createConnectTransport } from "@connectrpc/connect-node";
import { trace } from "@opentelemetry/api";
import { pino } from "pino";
// The bench's only coupling to src/ (besides generated code): keep it in this file.
import { createApp, createClientInterceptors } from "../../src/app.ts";
import { createConfigStore } from "../../src/config/config-store.ts";
import { sqliteConfigSource } from "../../src/runtime/node/config-sources.ts";
import { migrate } from "../../src/runtime/node/migrate.ts";
import { type NodeEnv, readNodeEnv } from "../../src/runtime/node/node-env.ts";
import { createNodeListeners } from "../../src/runtime/node/node-listeners.ts";
import { type ServerListeners, listenOnePort } from "../../src/runtime/node/one-port-server.ts";
import { createPino, pinoConfigLog, pinoRpcLogger } from "../../src/runtime/node/pino-loggers.ts";
import { openSqliteDatabase } from "../../src/runtime/node/sqlite.ts";
import { type ServerTelemetry, startServer } from "../../src/runtime/node/start-server.ts";
import { serveStatic, webRoot } from "../../src/runtime/node/static-files.ts";
import { sqlOrderStore } from "../../src/store/sql-order-store.ts";
import { sqlUserStore } from "../../src/store/sql-user-store.ts";
import type { TemplateOptions } from "./server-options.ts";

/**
 * The template as `npm start` serves it: startServer() with the environment read by
 * readNodeEnv (so UNARY_FAST_PATH and CONFIG_* apply as they would), tracing through the
 * API without an SDK (main.ts does the same when no OTLP endpoint is set), and log lines
 * through the real pino loggers into a real sonic-boom destination (/dev/null), so their
 * serialization and writes are paid as in production.
 */
export async function startTemplate(options: TemplateOptions): Promise<Record<string, number>> {
  const env = readNodeEnv({ ...process.env, HOST: "127.0.0.1", PORT: "0", DATABASE_PATH: options.databasePath });
  const logger = createPino(pino.destination("/dev/null"));
  const telemetry: ServerTelemetry = {
    log: pinoRpcLogger(logger),
    configLog: pinoConfigLog(logger),
    tracer: trace.getTracer("connect-service-template"),
  };
  const url = options.chain === "full" ? (await startServer(env, telemetry)).url : await startWithoutChain(env, telemetry);
  return { port: Number(new URL(url).port) };
}

/**
 * startServer() (src/runtime/node/start-server.ts) step for step, except for an empty
 * interceptor chain: startServer has no way to take one yet. Drops the config polling
 * and stop(), which the bench does not need. Replace with a startServer option once
 * src/ has one.
 */
async function startWithoutChain(env: NodeEnv, telemetry: ServerTelemetry): Promise<string> {
  const db = openSqliteDatabase(env.databasePath);
  await migrate(db);
  const config = createConfigStore({ source: sqliteConfigSource(db), env: env.vars, log: telemetry.configLog });
  await config.refresh();
  let listeners: ServerListeners | undefined;
  const server = await listenOnePort(
    {
      http1: (req, res) => listeners?.http1(req, res),
      http2: (stream, headers, flags, raw) => listeners?.http2(stream, headers, flags, raw),
    },
    env,
  );
  const url = `http://127.0.0.1:${server.address.port}`;
  const app = createApp({
    userStore: sqlUserStore(db),
    orderStore: sqlOrderStore(db),
    userServiceTransport: createConnectTransport({
      baseUrl: url,
      httpVersion: "2",
      useBinaryFormat: true,
      interceptors: createClientInterceptors(telemetry.tracer),
    }),
    log: telemetry.log,
    tracer: telemetry.tracer,
    config: config.current,
  });
  listeners = createNodeListeners(
    { ...app, options: { ...app.options, interceptors: [] } },
    {
      fallback: serveStatic(env.webRoot ?? webRoot),
      allowedOrigins: () => config.current().cors?.allowedOrigins ?? [],
      fastPath: env.fastPath,
    },
  );
  return url;
}
