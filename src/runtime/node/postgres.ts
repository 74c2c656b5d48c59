// PostgreSQL for the Node server (DATABASE_URL=postgres://...): the SqlDatabase port over a
// bounded `pg` pool. Only src/runtime/node/ imports this file, so the Worker never bundles pg.
import pg from "pg";
import type { SqlDatabase, SqlValue } from "../../store/sql-database.ts";
import { StoreUnavailableError } from "../../store/store-unavailable.ts";

/** An open pool: the SqlDatabase port plus what only start-up and shutdown need. */
export interface PostgresDatabase extends SqlDatabase {
  /** One connection for a while (migrations hold their lock on it). */
  connect(): Promise<pg.PoolClient>;
  close(): Promise<void>;
}

export interface PostgresOptions {
  /** Connections at most (pg's `max`); callers beyond it wait for one. */
  maxConnections?: number;
  /** How long a call waits to connect or for a free connection before `unavailable`. */
  connectTimeoutMs?: number;
}

// BIGINT (seq, create_time_ms) comes back as a number, as SQLite and D1 give it: the
// values the stores keep (row counters, epoch milliseconds) stay far below 2^53.
const int8 = 20;
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === int8 ? (text: string) => Number(text) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** Opens a pool on `url` (no connection is made until the first query). */
export function openPostgresDatabase(url: string, options: PostgresOptions = {}): PostgresDatabase {
  const maxConnections = options.maxConnections ?? 10;
  const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  const pool = new pg.Pool({
    connectionString: url,
    max: maxConnections,
    connectionTimeoutMillis: connectTimeoutMs,
    types,
  });
  // An idle connection dying (PostgreSQL restarted) is not fatal: the pool drops it and the
  // next call connects again. Without a listener the process would crash.
  pool.on("error", () => {});
  // The pool listens only to idle connections: one checked out when PostgreSQL ends it
  // (between its statement's end and its release) would emit "error" to nobody and crash
  // the process. The statement in flight still fails, and the connection is dropped.
  pool.on("connect", (client) => client.on("error", () => {}));
  const texts = new Map<string, string>();
  // PostgreSQL cancels a statement on request from another connection; that one is opened
  // outside the pool, so a cancel never waits behind the pool's own callers.
  const cancel = (pid: number) => {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs });
    client.on("error", () => {});
    client
      .connect()
      .then(() => client.query("SELECT pg_cancel_backend($1)", [pid]))
      .catch(() => {})
      .finally(() => void client.end().catch(() => {}));
  };
  return {
    async query<Row>(sql: string, params: readonly SqlValue[], signal?: AbortSignal) {
      let text = texts.get(sql);
      if (text === undefined) {
        text = numberPlaceholders(sql);
        texts.set(sql, text);
      }
      // Idle connections of a PostgreSQL that restarted fail with "terminating connection"
      // when next used; such a statement never ran, so it is sent again on a new connection.
      for (let attempt = 0; ; attempt++) {
        try {
          return await queryOnce<Row>(pool, cancel, text, params, signal);
        } catch (error) {
          if (attempt >= maxConnections || !isTerminated(error)) throw error;
        }
      }
    },
    async connect() {
      const client = await pool.connect();
      watch(client);
      return client;
    },
    close: () => pool.end(),
  };
}

/**
 * One try of a statement on a connection from the pool. `cancel` asks the server to stop a
 * backend's statement; the connection goes back to the pool only once its statement is over.
 */
async function queryOnce<Row>(
  pool: pg.Pool,
  cancel: (pid: number) => void,
  text: string,
  params: readonly SqlValue[],
  signal?: AbortSignal,
): Promise<Row[]> {
  signal?.throwIfAborted();
  let client: pg.PoolClient;
  try {
    client = await untilAborted(pool.connect(), signal, (late) => late.release());
  } catch (error) {
    throw signal?.aborted ? signal.reason : classify(error);
  }
  watch(client);
  const running = client.query(text, params as SqlValue[]);
  // A connection that failed is not given back to the pool: the next call opens a new one.
  void running.then(
    () => client.release(),
    (error: unknown) => client.release(classify(error) instanceof StoreUnavailableError ? (error as Error) : undefined),
  );
  // An abort answers the caller at once and has PostgreSQL cancel the statement.
  const onAbort = () => cancel((client as unknown as { processID: number }).processID);
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    return (await untilAborted(running, signal)).rows as Row[];
  } catch (error) {
    throw signal?.aborted ? signal.reason : classify(error);
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}

/** The server ended this connection (shut down, or crashed elsewhere) before the statement ran. */
function isTerminated(error: unknown): boolean {
  const code = (error as { cause?: { code?: unknown } }).cause?.code;
  return error instanceof StoreUnavailableError && (code === "57P01" || code === "57P02");
}

const watched = new WeakSet<pg.PoolClient>();

/**
 * A connection lost while checked out emits "error" on its client, which would crash the
 * process unheard; the query in flight fails too, and that failure is what the caller gets.
 */
function watch(client: pg.PoolClient): void {
  if (watched.has(client)) return;
  watched.add(client);
  client.on("error", () => {});
}

/**
 * `?` placeholders (the stores' SQL, shared with SQLite and D1) as PostgreSQL's $1..$n.
 * Question marks inside quoted strings or identifiers are left alone.
 */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  let quote: string | undefined;
  let out = "";
  for (const char of sql) {
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') {
      quote = char;
    } else if (char === "?") {
      n += 1;
      out += `$${n}`;
      continue;
    }
    out += char;
  }
  return out;
}

/** Resolves as `work` does, or rejects when `signal` aborts first (`late` disposes of a result that came too late). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined, late?: (value: T) => void): Promise<T> {
  if (!signal) return work;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        if (signal.aborted) late?.(value);
        else resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

// SQLSTATE classes that say "try again": connection exception, insufficient resources
// (too many connections), operator intervention (shutdown, starting up), and transaction
// rollbacks (serialization failure, deadlock).
const transientStates = /^(08|53|57P|40)/;

/** A failure to reach PostgreSQL (or a transient one) as StoreUnavailableError; a bad statement stays itself. */
export function classify(error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  const isSqlState = typeof code === "string" && /^[0-9A-Z]{5}$/.test(code);
  if (isSqlState && !transientStates.test(code)) {
    return error;
  }
  return new StoreUnavailableError("database unavailable", { cause: error });
}
