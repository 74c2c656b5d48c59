/** Settings of the Node entry point, read from the environment. */
export interface NodeEnv {
  host: string;
  port: number;
  databasePath: string;
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
}

/**
 * Reads HOST, PORT, DATABASE_PATH, USER_SERVICE_URL, CONFIG_FILE, CONFIG_REFRESH_MS,
 * WEB_ROOT and UNARY_FAST_PATH;
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
  return {
    host: env.HOST || "127.0.0.1",
    port,
    databasePath: env.DATABASE_PATH || "./.data/app.db",
    ...(userServiceUrl ? { userServiceUrl } : {}),
    ...(env.CONFIG_FILE ? { configFile: env.CONFIG_FILE } : {}),
    configRefreshMs,
    vars: env,
    ...(env.WEB_ROOT ? { webRoot: env.WEB_ROOT } : {}),
    fastPath: fastPath === "on",
  };
}
