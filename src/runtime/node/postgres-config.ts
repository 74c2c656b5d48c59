// The runtime config in PostgreSQL (DATABASE_URL): one row every instance reads, and a
// NOTIFY with each write, so the whole fleet applies a change at once. docs/postgres.md.
import pg from "pg";
import { type ConfigLog, type ConfigSource, storedConfigKey } from "../../config/config-source.ts";
import type { SqlDatabase } from "../../store/sql-database.ts";

/** The channel a config write notifies (migrations-postgres/0003_create_config_kv.sql holds the row). */
export const configChannel = "config_changed";

export function postgresConfigSource(db: SqlDatabase): ConfigSource {
  return {
    name: "postgres:config_kv",
    async read() {
      const rows = await db.query<{ value: string }>("SELECT value FROM config_kv WHERE key = ?", [storedConfigKey]);
      return rows[0]?.value;
    },
  };
}

/**
 * Stores `json` as the config (the CLI validates it first) and notifies the listeners. One
 * statement is one transaction: the NOTIFY is delivered only if the write commits.
 */
export async function writePostgresConfig(db: SqlDatabase, json: string): Promise<void> {
  await db.query(
    `WITH written AS (
      INSERT INTO config_kv (key, value, update_time_ms) VALUES (?, ?, ?)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value, update_time_ms = excluded.update_time_ms
      RETURNING key
    ) SELECT pg_notify('${configChannel}', key) FROM written`,
    [storedConfigKey, json, Date.now()],
  );
}

/**
 * Calls `refresh` whenever the config changes: on each NOTIFY, received by a connection of
 * its own that LISTENs. While that connection is down (PostgreSQL restarting, network), it
 * polls every `pollMs` instead and reconnects every `pollMs`; once listening again it
 * refreshes once, for a change it may have missed, and stops polling.
 */
export function watchPostgresConfig(url: string, options: { refresh: () => void; pollMs: number; log: ConfigLog }): { close(): void } {
  const { refresh, pollMs, log } = options;
  const source = "postgres:config_kv";
  let closed = false;
  let client: pg.Client | undefined;
  let poll: ReturnType<typeof setInterval> | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;

  const startPolling = () => {
    if (poll) return;
    poll = setInterval(refresh, pollMs);
    poll.unref();
  };
  const stopPolling = () => {
    clearInterval(poll);
    poll = undefined;
  };
  const lost = (current: pg.Client, error?: unknown) => {
    if (client !== current || closed) return;
    client = undefined;
    void current.end().catch(() => {});
    log({
      level: "error",
      msg: `config listener lost (${error instanceof Error ? error.message : "connection ended"}), polling every ${pollMs} ms`,
      source,
    });
    startPolling();
    retry = setTimeout(listen, pollMs);
    retry.unref();
  };
  const listen = () => {
    if (closed) return;
    const current = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    client = current;
    current.on("error", (error) => lost(current, error));
    current.on("end", () => lost(current));
    current.on("notification", (message) => {
      if (message.channel === configChannel) refresh();
    });
    current
      .connect()
      .then(() => current.query(`LISTEN ${configChannel}`))
      .then(() => {
        if (client !== current) return;
        if (poll) log({ level: "info", msg: "config listener back, polling stopped", source });
        stopPolling();
        refresh();
      })
      .catch((error: unknown) => lost(current, error));
  };

  startPolling(); // until the first LISTEN is in place
  listen();
  return {
    close() {
      closed = true;
      stopPolling();
      clearTimeout(retry);
      const current = client;
      client = undefined;
      void current?.end().catch(() => {});
    },
  };
}
