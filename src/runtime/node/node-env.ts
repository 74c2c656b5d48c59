import { type AuthSettings, isLoopbackHost, readAuthSettings } from "../../auth/auth-settings.ts";
import { defaultDevKeyFile } from "./dev-auth.ts";
import { defaultServerLimits } from "./server-limits.ts";

/**
 * Whose tokens the server trusts: a configured issuer (AUTH_*), else on a loopback HOST
 * a development key created on first run, else nobody's (protected methods refuse every call).
 */
export type NodeAuth = { mode: "issuer"; settings: AuthSettings } | { mode: "dev"; keyFile: string } | { mode: "off" };

/** Settings of the Node entry point, read from the environment. */
export interface NodeEnv {
  host: string;
  port: number;
  databasePath: string;
  /** DATABASE_URL (postgres://...): PostgreSQL instead of the SQLite file at databasePath. */
  databaseUrl?: string;
  /** Base URL of UserService for OrderService; undefined means this server itself. */
  userServiceUrl?: string;
  /** A JSON config file to watch instead of the SQLite config store. */
  configFile?: string;
  /** How often the config source is checked for a new version. */
  configRefreshMs: number;
  /** The whole environment, for CONFIG_* overrides. */
  vars: Record<string, string | undefined>;
  /** Folder of the web page served at `/` (WEB_ROOT; default the built web/dist). */
  webRoot?: string;
  /** Unary RPCs on the fast path (default); UNARY_FAST_PATH=off leaves all to stock connect-node. */
  fastPath: boolean;
  /** After SIGTERM/SIGINT, keep serving (not ready) this long so load balancers notice (default 0). */
  shutdownDelayMs: number;
  /** Then how long calls in flight may take to finish before they are cut (default 10 s). */
  shutdownGraceMs: number;
  /** A request's headers and body must arrive within this (default 60 s; server-limits.ts). */
  requestTimeoutMs: number;
  /** A connection with nothing in flight is closed after this (default 30 s; server-limits.ts). */
  idleTimeoutMs: number;
  auth: NodeAuth;
  /**
   * GATEWAY_SECRET, shared with the edge gateway (docs/gateway.md): calls presenting it are
   * not rate limited again, and count as coming from the address the edge saw. Never logged.
   */
  gatewaySecret?: string;
}

/**
 * Reads HOST, PORT, DATABASE_PATH, DATABASE_URL, USER_SERVICE_URL, CONFIG_FILE, CONFIG_REFRESH_MS,
 * WEB_ROOT, UNARY_FAST_PATH, SHUTDOWN_DELAY_MS, SHUTDOWN_GRACE_MS, REQUEST_TIMEOUT_MS, IDLE_TIMEOUT_MS,
 * the AUTH_* variables (src/auth/auth-settings.ts), AUTH_DEV_KEY_FILE and GATEWAY_SECRET;
 * throws a message naming the bad variable.
 */
export function readNodeEnv(env: Record<string, string | undefined>): NodeEnv {
  const port = Number(env.PORT ?? "8080");
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be an integer from 0 to 65535, got "${env.PORT}"`);
  }
  const userServiceUrl = env.USER_SERVICE_URL || undefined;
  if (userServiceUrl !== undefined && !/^https?:\/\//.test(userServiceUrl)) {
    throw new Error(`USER_SERVICE_URL must be an http(s) URL, got "${userServiceUrl}"`);
  }
  const configRefreshMs = Number(env.CONFIG_REFRESH_MS ?? "1000");
  if (!Number.isInteger(configRefreshMs) || configRefreshMs < 10) {
    throw new Error(`CONFIG_REFRESH_MS must be an integer of at least 10 (milliseconds), got "${env.CONFIG_REFRESH_MS}"`);
  }
  const fastPath = env.UNARY_FAST_PATH ?? "on";
  if (fastPath !== "on" && fastPath !== "off") {
    throw new Error(`UNARY_FAST_PATH must be "on" or "off", got "${fastPath}"`);
  }
  const shutdownDelayMs = milliseconds(env, "SHUTDOWN_DELAY_MS", 0);
  const shutdownGraceMs = milliseconds(env, "SHUTDOWN_GRACE_MS", 10_000);
  // At least a second: a zero would cut every request (HTTP/2) or switch the limit off (HTTP/1.1).
  const requestTimeoutMs = milliseconds(env, "REQUEST_TIMEOUT_MS", defaultServerLimits.requestTimeoutMs, 1000);
  const idleTimeoutMs = milliseconds(env, "IDLE_TIMEOUT_MS", defaultServerLimits.idleTimeoutMs, 1000);
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error("DATABASE_URL must be a postgres:// or postgresql:// URL (unset, the server uses the SQLite file DATABASE_PATH)");
  }
  const host = env.HOST || "127.0.0.1";
  const settings = readAuthSettings(env);
  const auth: NodeAuth = settings
    ? { mode: "issuer", settings }
    : isLoopbackHost(host)
      ? { mode: "dev", keyFile: env.AUTH_DEV_KEY_FILE || defaultDevKeyFile }
      : { mode: "off" };
  const gatewaySecret = env.GATEWAY_SECRET || undefined;
  // A short secret can be guessed; the length, not the value, goes in the message.
  if (gatewaySecret !== undefined && gatewaySecret.length < 32) {
    throw new Error(`GATEWAY_SECRET must be at least 32 characters (openssl rand -hex 32), got ${gatewaySecret.length}`);
  }
  return {
    host,
    port,
    databasePath: env.DATABASE_PATH || "./.data/app.db",
    ...(databaseUrl ? { databaseUrl } : {}),
    ...(userServiceUrl ? { userServiceUrl } : {}),
    ...(env.CONFIG_FILE ? { configFile: env.CONFIG_FILE } : {}),
    configRefreshMs,
    vars: env,
    ...(env.WEB_ROOT ? { webRoot: env.WEB_ROOT } : {}),
    fastPath: fastPath === "on",
    shutdownDelayMs,
    shutdownGraceMs,
    requestTimeoutMs,
    idleTimeoutMs,
    auth,
    ...(gatewaySecret ? { gatewaySecret } : {}),
  };
}

function milliseconds(env: Record<string, string | undefined>, name: string, fallback: number, min = 0): number {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  const ms = Number(text);
  if (!Number.isInteger(ms) || ms < min || ms > 3_600_000) {
    throw new Error(`${name} must be an integer from ${min} to 3600000 (milliseconds), got "${text}"`);
  }
  return ms;
}
