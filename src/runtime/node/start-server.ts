import { connectNodeAdapter } from "@connectrpc/connect-node";
import { createRouterOptions, createRoutes } from "../../app.ts";
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

/** Opens and migrates the database, builds the app and serves it on one port. */
export async function startServer(env: NodeEnv): Promise<RunningServer> {
  const db = openSqliteDatabase(env.databasePath);
  try {
    await migrate(db);
    const handler = connectNodeAdapter({
      ...createRouterOptions(),
      routes: createRoutes({ userStore: sqlUserStore(db) }),
    });
    const server = await listenOnePort(handler, env);
    const host = server.address.family === "IPv6" ? `[${server.address.address}]` : server.address.address;
    return {
      url: `http://${host}:${server.address.port}`,
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
