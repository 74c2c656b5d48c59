import { connectNodeAdapter, createConnectTransport } from "@connectrpc/connect-node";
import type { Tracer } from "@opentelemetry/api";
import { createApp, createClientInterceptors } from "../../app.ts";
import type { RpcLogger } from "../../interceptors/logging.ts";
import { sqlOrderStore } from "../../store/sql-order-store.ts";
import { sqlUserStore } from "../../store/sql-user-store.ts";
import { migrate } from "./migrate.ts";
import type { NodeEnv } from "./node-env.ts";
import { listenOnePort } from "./one-port-server.ts";
import { openSqliteDatabase } from "./sqlite.ts";

export interface RunningServer {
  url: string;
  /** Drains in-flight requests (up to `graceMs`), then closes the database. */
  stop(graceMs?: number): Promise<void>;
}

export interface ServerTelemetry {
  log: RpcLogger;
  tracer: Tracer;
}

/** Opens and migrates the database, builds the app and serves it on one port. */
export async function startServer(env: NodeEnv, telemetry: ServerTelemetry): Promise<RunningServer> {
  const db = openSqliteDatabase(env.databasePath);
  try {
    await migrate(db);
    // The app needs UserService's URL, which is this server's own unless configured,
    // and only known once listening: requests are forwarded to it once it exists.
    let app: ReturnType<typeof connectNodeAdapter> | undefined;
    const server = await listenOnePort((req, res) => app?.(req, res), env);
    const host = server.address.family === "IPv6" ? `[${server.address.address}]` : server.address.address;
    const url = `http://${host}:${server.address.port}`;
    const userServiceTransport = createConnectTransport({
      baseUrl: env.userServiceUrl ?? url,
      httpVersion: "2",
      useBinaryFormat: true,
      interceptors: createClientInterceptors(telemetry.tracer),
    });
    const { options, routes } = createApp({
      userStore: sqlUserStore(db),
      orderStore: sqlOrderStore(db),
      userServiceTransport,
      ...telemetry,
    });
    app = connectNodeAdapter({ ...options, routes });
    return {
      url,
      async stop(graceMs = 10_000) {
        await server.close(graceMs);
        db.close();
      },
    };
  } catch (error) {
    db.close();
    throw error;
  }
}
