import { type Transport, createRouterTransport } from "@connectrpc/connect";
import { trace } from "@opentelemetry/api";
import { createApp } from "../../src/app.ts";
import type { RpcLogEntry } from "../../src/interceptors/logging.ts";
import { migrate } from "../../src/runtime/node/migrate.ts";
import { openSqliteDatabase } from "../../src/runtime/node/sqlite.ts";
import { sqlOrderStore } from "../../src/store/sql-order-store.ts";
import { sqlUserStore } from "../../src/store/sql-user-store.ts";

/**
 * The whole app on an in-memory SQLite database, called through connect's in-memory
 * router transport (OrderService reaches UserService through the same transport).
 */
export async function createInMemoryApp(path = ":memory:") {
  const db = openSqliteDatabase(path);
  await migrate(db);
  const logs: RpcLogEntry[] = [];
  let transport: Transport | undefined;
  const self: Transport = {
    unary: (...args) => transport!.unary(...args),
    stream: (...args) => transport!.stream(...args),
  };
  const app = createApp({
    userStore: sqlUserStore(db),
    orderStore: sqlOrderStore(db),
    userServiceTransport: self,
    log: (entry) => logs.push(entry),
    tracer: trace.getTracer("test"),
  });
  transport = createRouterTransport(app.routes, { router: app.options });
  return { db, transport, logs };
}
