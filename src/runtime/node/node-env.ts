/** Settings of the Node entry point, read from the environment. */
export interface NodeEnv {
  host: string;
  port: number;
  databasePath: string;
  /** Base URL of UserService for OrderService; undefined means this server itself. */
  userServiceUrl?: string;
}

/** Reads HOST, PORT, DATABASE_PATH and USER_SERVICE_URL; throws a message naming the bad variable. */
export function readNodeEnv(env: Record<string, string | undefined>): NodeEnv {
  const port = Number(env.PORT ?? "8080");
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be an integer from 0 to 65535, got "${env.PORT}"`);
  }
  const userServiceUrl = env.USER_SERVICE_URL || undefined;
  if (userServiceUrl !== undefined && !/^https?:\/\//.test(userServiceUrl)) {
    throw new Error(`USER_SERVICE_URL must be an http(s) URL, got "${userServiceUrl}"`);
  }
  return {
    host: env.HOST || "127.0.0.1",
    port,
    databasePath: env.DATABASE_PATH || "./.data/app.db",
    ...(userServiceUrl ? { userServiceUrl } : {}),
  };
}
