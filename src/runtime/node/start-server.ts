import net from "node:net";
import { Http2SessionManager, createConnectTransport } from "@connectrpc/connect-node";
import type { Tracer } from "@opentelemetry/api";
import { type AppOptions, createApp, createClientInterceptors } from "../../app.ts";
import { verifierFor } from "../../auth/auth-settings.ts";
import type { ConfigLog, ConfigSource } from "../../config/config-source.ts";
import { type ConfigStore, createConfigStore } from "../../config/config-store.ts";
import type { Config } from "../../gen/acme/config/v1/config_pb.ts";
import { configCheck, databaseCheck } from "../../health/checks.ts";
import { type Readiness, createReadiness } from "../../health/readiness.ts";
import type { RpcLogger } from "../../interceptors/logging.ts";
import { createRateLimitCheck } from "../../ratelimit/rate-limit-check.ts";
import type { LimiterFactory } from "../../ratelimit/limiter.ts";
import type { SqlDatabase } from "../../store/sql-database.ts";
import { fileConfigSource, sqliteConfigSource } from "./config-sources.ts";
import { exceptViaGateway, gatewayTrust } from "./gateway-trust.ts";
import { devAuthSettings } from "./dev-auth.ts";
import { memoryLimiters } from "./memory-limiters.ts";
import { migrate } from "./migrate.ts";
import type { NodeMetrics } from "./metrics.ts";
import type { NodeEnv } from "./node-env.ts";
import { withMcpEndpoint } from "./mcp-endpoint.ts";
import { createNodeListeners } from "./node-listeners.ts";
import { type ServerListeners, listenOnePort } from "./one-port-server.ts";
import { reflectionServices } from "./reflection.ts";
import { probeEndpoints } from "./probes.ts";
import { openSqliteDatabase } from "./sqlite.ts";
import { tracedDatabase } from "../../store/traced-database.ts";
import { runAfterWrites } from "./unary/end-of-turn.ts";
import { errorText } from "./error-text.ts";
import { serveStatic, webRoot } from "./static-files.ts";

export interface RunningServer {
  url: string;
  /** The current config snapshot. */
  config(): Config;
  /** Ready for traffic? drain() makes it say no at once (health NOT_SERVING, /readyz 503). */
  readiness: Readiness;
  /**
   * Stops accepting connections, lets calls in flight (unary and streams) finish for up
   * to `graceMs`, closes the server's own client connections, then the database.
   * Readiness goes NOT_SERVING first, if drain() has not done it already.
   */
  stop(graceMs?: number): Promise<void>;
}

/**
 * A line about the server's own machinery, neither an RPC nor the config: a rate limit
 * store failing, say. main.ts writes it through pino.
 */
export type ServerLog = (entry: { level: "warn" | "error"; msg: string; source: string }) => void;

/** Without a logger given: one JSON line on stderr. */
const stderrServerLog: ServerLog = (entry) => console.error(JSON.stringify(entry));

export interface ServerTelemetry {
  log: RpcLogger;
  configLog: ConfigLog;
  /** Default: JSON lines on stderr. */
  serverLog?: ServerLog;
  tracer: Tracer;
  /** RPC and runtime metrics: the interceptor's meter, and `GET /metrics` (src/runtime/node/metrics.ts). */
  metrics?: Pick<NodeMetrics, "meter" | "prometheus">;
}

/** The database and config a server runs on; opened before tracing, whose sampler reads the config. */
export interface ServerState {
  /** Opened and migrated: the SQLite file, or PostgreSQL when DATABASE_URL is set. */
  db: SqlDatabase;
  /** Loaded, and polled every CONFIG_REFRESH_MS until close(). */
  config: ConfigStore;
  /** Where rate limits count: this process's memory, or PostgreSQL shared by all instances. */
  limiters: LimiterFactory;
  /** Stops polling and closes the database. */
  close(): void;
}

/** Opens and migrates the database, loads the config and keeps polling its source. */
export async function openServerState(env: NodeEnv, configLog: ConfigLog, serverLog: ServerLog = stderrServerLog): Promise<ServerState> {
  const { db, closeDb, storedConfig, watchConfig, limiters = memoryLimiters } = await openDatabase(env, serverLog);
  let stopWatching = () => {};
  const close = () => {
    stopWatching();
    closeDb();
  };
  try {
    const config = createConfigStore({
      source: env.configFile ? fileConfigSource(env.configFile) : storedConfig(),
      env: env.vars,
      log: configLog,
    });
    await config.refresh();
    const refresh = () => void config.refresh();
    if (!env.configFile && watchConfig) {
      stopWatching = watchConfig({ refresh, pollMs: env.configRefreshMs, log: configLog });
    } else {
      const poll = setInterval(refresh, env.configRefreshMs);
      poll.unref();
      stopWatching = () => clearInterval(poll);
    }
    return { db, config, limiters, close };
  } catch (error) {
    close();
    throw error;
  }
}

/** How a database tells of config changes itself (PostgreSQL's NOTIFY); returns a stop function. */
type ConfigWatch = (options: { refresh: () => void; pollMs: number; log: ConfigLog }) => () => void;

/**
 * The database DATABASE_URL or DATABASE_PATH names, migrated, and its config table (unless
 * CONFIG_FILE is set): SQLite's is polled, PostgreSQL's is watched (LISTEN/NOTIFY).
 */
async function openDatabase(
  env: NodeEnv,
  log: ServerLog,
): Promise<{ db: SqlDatabase; closeDb(): void; storedConfig(): ConfigSource; watchConfig?: ConfigWatch; limiters?: LimiterFactory }> {
  if (env.databaseUrl) {
    // Imported when used: SQLite deployments never initialise pg.
    const { openPostgresDatabase } = await import("./postgres.ts");
    const { migratePostgres } = await import("./postgres-migrate.ts");
    const db = openPostgresDatabase(env.databaseUrl);
    const closeDb = () => void db.close().catch(() => {});
    try {
      await migratePostgres(db);
    } catch (error) {
      closeDb();
      throw error;
    }
    const { postgresConfigSource, watchPostgresConfig } = await import("./postgres-config.ts");
    const { openPostgresLimiters } = await import("./postgres-limiters.ts");
    const url = env.databaseUrl;
    // Calls go on while the store fails (fail open): a warning, not an error.
    const counting = openPostgresLimiters(url, (msg) => log({ level: "warn", msg, source: "postgres:rate_limits" }));
    return {
      db,
      closeDb: () => {
        closeDb();
        void counting.close().catch(() => {});
      },
      limiters: counting.limiters,
      storedConfig: () => postgresConfigSource(db),
      watchConfig: (options) => {
        const watcher = watchPostgresConfig(url, options);
        return () => watcher.close();
      },
    };
  }
  const db = openSqliteDatabase(env.databasePath);
  const closeDb = () => db.close();
  try {
    await migrate(db);
  } catch (error) {
    closeDb();
    throw error;
  }
  return { db, closeDb, storedConfig: () => sqliteConfigSource(db) };
}

/**
 * Builds the app on `state` (opened here unless given) and serves it on one port;
 * stop() closes the state too.
 */
export async function startServer(
  env: NodeEnv,
  telemetry: ServerTelemetry,
  appOptions: AppOptions = {},
  state?: ServerState,
): Promise<RunningServer> {
  const { db, config, limiters, close } = state ?? (await openServerState(env, telemetry.configLog, telemetry.serverLog));
  try {
    // The app needs UserService's URL, which is this server's own unless configured,
    // and only known once listening: requests are forwarded to it once it exists.
    let listeners: ServerListeners | undefined;
    const server = await listenOnePort(
      {
        http1: (req, res) => listeners?.http1(req, res),
        http2: (stream, headers, flags, raw) => listeners?.http2(stream, headers, flags, raw),
      },
      env,
    );
    const host = server.address.family === "IPv6" ? `[${server.address.address}]` : server.address.address;
    const url = `http://${host}:${server.address.port}`;
    // One HTTP/2 connection to UserService, whose local ports we know: when UserService is
    // this server, shutdown keeps those connections open until the calls needing them end.
    const userServiceUrl = env.userServiceUrl ?? url;
    const ownPorts = new Set<number>();
    const sessionManager = new Http2SessionManager(userServiceUrl, undefined, {
      createConnection: (authority: URL) => {
        const socket = net.connect({ host: authority.hostname.replace(/^\[|\]$/g, ""), port: Number(authority.port || 80) });
        socket.once("connect", () => socket.localPort !== undefined && ownPorts.add(socket.localPort));
        socket.once("close", () => socket.localPort !== undefined && ownPorts.delete(socket.localPort));
        return socket;
      },
    });
    const userServiceTransport = createConnectTransport({
      baseUrl: userServiceUrl,
      httpVersion: "2",
      useBinaryFormat: true,
      sessionManager,
      interceptors: createClientInterceptors(telemetry.tracer),
    });
    const readiness = createReadiness([databaseCheck(db), configCheck(config.loaded)]);
    const auth = env.auth;
    const verifyToken = verifierFor(
      auth.mode === "issuer" ? auth.settings : auth.mode === "dev" ? await devAuthSettings(auth.keyFile) : undefined,
    );
    const rateLimit = createRateLimitCheck({ config: config.current, limiters });
    const serverLog = telemetry.serverLog ?? stderrServerLog;
    const observerFailed = (error: unknown) =>
      serverLog({
        level: "error",
        msg: `an RPC observer (tracing, metrics or logging) failed: ${errorText(error)}`,
        source: "observers",
      });
    const deps = {
      verifyToken,
      // With GATEWAY_SECRET, calls the edge gateway forwarded were rate limited there (docs/gateway.md).
      ...(env.gatewaySecret ? { gatePrelude: gatewayTrust(env.gatewaySecret) } : {}),
      gateChecks: [env.gatewaySecret ? exceptViaGateway(rateLimit) : rateLimit],
      // A span per statement the services run (not the readiness probe's), under the RPC's span.
      db: tracedDatabase(db, telemetry.tracer, env.databaseUrl ? "postgresql" : "sqlite"),
      userServiceTransport,
      log: telemetry.log,
      tracer: telemetry.tracer,
      meter: telemetry.metrics?.meter,
      // Tracing, metrics and logging hear that a call is over after the turn's responses
      // are written, all of the turn's calls together (src/interceptors/rpc-call.ts).
      settleObservers: (tell: () => void) => runAfterWrites(tell, observerFailed),
      config: config.current,
      readiness,
    };
    const app = createApp(deps, { extraServices: reflectionServices(readiness.stopSignal), ...appOptions });
    listeners = createNodeListeners(app, {
      // MCP at /mcp (a tool call is an RPC through this app's router), then the page.
      fallback: withMcpEndpoint(app, serveStatic(env.webRoot ?? webRoot)),
      allowedOrigins: () => config.current().cors?.allowedOrigins ?? [],
      fastPath: env.fastPath,
      endpoints: { ...probeEndpoints(readiness), ...(telemetry.metrics ? { "/metrics": telemetry.metrics.prometheus } : {}) },
    });
    return {
      url,
      config: config.current,
      readiness,
      async stop(graceMs = 10_000) {
        // Not ready from here on; health Watch and idle reflection streams end, so they do
        // not hold the drain up.
        readiness.stop();
        await server.close(graceMs, {
          isOwnClient: (port) => ownPorts.has(port),
          closeOwnClients: () => sessionManager.abort(),
        });
        close();
      },
    };
  } catch (error) {
    close();
    throw error;
  }
}
