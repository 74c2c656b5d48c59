import http from "node:http";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { connectNodeAdapter, createConnectTransport } from "@connectrpc/connect-node";
import { trace } from "@opentelemetry/api";
import { createApp } from "../src/app.ts";
import { defaultConfig } from "../src/config/defaults.ts";
import { migrate } from "../src/runtime/node/migrate.ts";
import { listenOnePort } from "../src/runtime/node/one-port-server.ts";
import { openSqliteDatabase } from "../src/runtime/node/sqlite.ts";
import { sqlOrderStore } from "../src/store/sql-order-store.ts";
import { sqlUserStore } from "../src/store/sql-user-store.ts";

// Started by scripts/bench.ts: the same Connect handler behind the one-port server and
// behind plain node:http / node:http2 servers on ports of their own (the baseline), and
// a one-port server without the interceptor chain.
const db = openSqliteDatabase(":memory:");
await migrate(db);
const userStore = sqlUserStore(db);
const user = await userStore.createUser({
  id: crypto.randomUUID(),
  email: "bench@example.com",
  displayName: "Bench",
  createTimeMs: Date.now(),
});
// The full interceptor chain, with tracing off (no SDK) and log lines discarded.
const app = createApp({
  userStore,
  orderStore: sqlOrderStore(db),
  userServiceTransport: createConnectTransport({ baseUrl: "http://127.0.0.1:9", httpVersion: "1.1" }),
  log: () => {},
  tracer: trace.getTracer("bench"),
  config: defaultConfig,
});
const handler = connectNodeAdapter({ ...app.options, routes: app.routes });
// The same without the interceptor chain, to show what the chain costs.
const bare = connectNodeAdapter({ ...app.options, interceptors: [], routes: app.routes });

function listen(server: http.Server | http2.Http2Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );
}

const onePort = await listenOnePort(handler, { host: "127.0.0.1", port: 0 });
const onePortBare = await listenOnePort(bare, { host: "127.0.0.1", port: 0 });
const ports = {
  userId: user?.id,
  onePort: onePort.address.port,
  onePortBare: onePortBare.address.port,
  plainH1: await listen(http.createServer(handler)),
  plainH2c: await listen(http2.createServer(handler)),
};
console.log(JSON.stringify(ports));
