import { type Transport, createRouterTransport } from "@connectrpc/connect";
import { type Meter, type Tracer, trace } from "@opentelemetry/api";
import { createApp, createClientInterceptors } from "../../src/app.ts";
import { verifierFor } from "../../src/auth/auth-settings.ts";
import { defaultConfig } from "../../src/config/defaults.ts";
import { databaseCheck } from "../../src/health/checks.ts";
import { createReadiness } from "../../src/health/readiness.ts";
import type { Config } from "../../src/gen/acme/config/v1/config_pb.ts";
import type { RpcLogEntry } from "../../src/interceptors/logging.ts";
import type { RpcRecorder } from "../../src/interceptors/metrics.ts";
import type { SettleScheduler } from "../../src/interceptors/rpc-call.ts";
import { migrate } from "../../src/runtime/node/migrate.ts";
import { openSqliteDatabase } from "../../src/runtime/node/sqlite.ts";
import { createTestAuth, withAuthorization } from "../shared/test-auth.ts";

export interface InMemoryAppOptions {
  /** SQLite file; default in memory. */
  path?: string;
  busyTimeoutMs?: number;
  tracer?: Tracer;
  /** For the metrics interceptor (default: the API's no-op). */
  meter?: Meter;
  recordRpc?: RpcRecorder;
  /** The config snapshot each call sees (default: the defaults); may change between calls. */
  config?: () => Config;
  /** Authorization header of every call (default: a test token with every scope). */
  authorization?: string;
  /** When tracing, metrics and logging hear a call is over (default: at once). */
  settleObservers?: SettleScheduler;
}

/**
 * The whole app on a SQLite database, called through connect's in-memory router
 * transport. OrderService reaches UserService through a second one with the client
 * interceptors, as over the network; `downstream` records each such call's method and
 * timeout. Tokens of `auth` are trusted; calls carry `authorization` (default: every scope).
 */
export async function createInMemoryApp(options: InMemoryAppOptions = {}) {
  const db = openSqliteDatabase(options.path ?? ":memory:", options);
  await migrate(db);
  const logs: RpcLogEntry[] = [];
  const downstream: { method: string; timeoutMs: number | undefined }[] = [];
  let outgoing: Transport | undefined;
  const self: Transport = {
    unary: (method, signal, timeoutMs, ...rest) => {
      downstream.push({ method: method.name, timeoutMs });
      return outgoing!.unary(method, signal, timeoutMs, ...rest);
    },
    stream: (...args) => outgoing!.stream(...args),
  };
  const tracer = options.tracer ?? trace.getTracer("test");
  const auth = await createTestAuth();
  const app = createApp({
    verifyToken: verifierFor({ issuer: auth.issuer, audience: auth.audience, keys: { jwks: auth.jwks } }),
    db,
    userServiceTransport: self,
    log: (entry) => logs.push(entry),
    tracer,
    meter: options.meter,
    recordRpc: options.recordRpc,
    settleObservers: options.settleObservers,
    config: options.config ?? defaultConfig,
    readiness: createReadiness([databaseCheck(db)]),
  });
  const transport = createRouterTransport(app.routes, {
    router: app.options,
    transport: { interceptors: [withAuthorization(options.authorization ?? auth.bearer)] },
  });
  outgoing = createRouterTransport(app.routes, {
    router: app.options,
    transport: { interceptors: createClientInterceptors(tracer) },
  });
  return { db, transport, logs, downstream, auth };
}
