import { execFile } from "node:child_process";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { storedConfigKey } from "../../src/config/config-source.ts";
import { sqliteConfigSource, writeSqliteConfig } from "../../src/runtime/node/config-sources.ts";
import { readNodeEnv } from "../../src/runtime/node/node-env.ts";
import { postgresConfigSource, writePostgresConfig } from "../../src/runtime/node/postgres-config.ts";
import { openPostgresDatabase } from "../../src/runtime/node/postgres.ts";
import { openSqliteDatabase } from "../../src/runtime/node/sqlite.ts";

const run = promisify(execFile);

/** Where a config is read from and written to. */
export interface ConfigTarget {
  describe: string;
  read(): Promise<string | undefined>;
  write(json: string): Promise<void>;
}

/**
 * `node`: the store `npm start` reads with the same environment: CONFIG_FILE if set,
 * else the config table in PostgreSQL (DATABASE_URL) or in DATABASE_PATH.
 */
export function nodeTarget(env: Record<string, string | undefined>): ConfigTarget {
  const nodeEnv = readNodeEnv(env);
  if (nodeEnv.configFile) {
    const path = nodeEnv.configFile;
    return {
      describe: `file ${path}`,
      read: () =>
        readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => (error.code === "ENOENT" ? undefined : Promise.reject(error))),
      async write(json) {
        // Write then rename, so the watching server never reads half a file.
        const temp = join(dirname(path), `.${Date.now()}.config.json`);
        writeFileSync(temp, json);
        renameSync(temp, path);
      },
    };
  }
  if (nodeEnv.databaseUrl) return postgresTarget(nodeEnv.databaseUrl);
  const withDb = async <T>(use: (db: ReturnType<typeof openSqliteDatabase>) => Promise<T>) => {
    const db = openSqliteDatabase(nodeEnv.databasePath);
    try {
      return await use(db);
    } finally {
      db.close();
    }
  };
  return {
    describe: `SQLite store ${nodeEnv.databasePath}`,
    read: () => withDb((db) => sqliteConfigSource(db).read()),
    write: (json) => withDb((db) => writeSqliteConfig(db, json)),
  };
}

/**
 * The config table every instance on DATABASE_URL reads; a write notifies them all. The
 * CLI changes rows, never the schema: the table comes from the migrations `npm start`
 * applies (a config tool should need no right to change the schema, and an older CLI must
 * not migrate a database a newer server owns). Before any server ran, `get` finds nothing
 * stored and `set` says to start one first.
 */
function postgresTarget(url: string): ConfigTarget {
  const withDb = async <T>(use: (db: ReturnType<typeof openPostgresDatabase>) => Promise<T>) => {
    const db = openPostgresDatabase(url, { maxConnections: 1 });
    try {
      return await use(db);
    } finally {
      await db.close();
    }
  };
  return {
    describe: `PostgreSQL store ${new URL(url).host}${new URL(url).pathname}`,
    read: () => withDb((db) => postgresConfigSource(db).read()).catch((error) => (noTable(error) ? undefined : Promise.reject(error))),
    write: (json) =>
      withDb((db) => writePostgresConfig(db, json)).catch((error) =>
        Promise.reject(
          noTable(error)
            ? new Error(
                "PostgreSQL has no config_kv table yet: start the server once on this DATABASE_URL (it applies migrations-postgres/)",
              )
            : error,
        ),
      ),
  };
}

/** PostgreSQL's undefined_table: the migrations have not run on this database. */
function noTable(error: unknown): boolean {
  return (error as { code?: unknown }).code === "42P01";
}

/**
 * `local` / `remote`: the CONFIG KV namespace through wrangler (`wrangler kv key ...`),
 * the local one `npm run dev:worker` uses, or the deployed one (needs `wrangler login`).
 * CONFIG_CLI_WRANGLER replaces the wrangler command (tests use it to record the call).
 */
export function kvTarget(
  where: "local" | "remote",
  options: { persistTo?: string; env: Record<string, string | undefined> },
): ConfigTarget {
  const wrangler = options.env.CONFIG_CLI_WRANGLER ?? "wrangler";
  const common = ["--binding", "CONFIG", `--${where}`, ...(options.persistTo ? ["--persist-to", options.persistTo] : [])];
  const call = async (args: string[]) => {
    const { stdout, stderr } = await run(wrangler, args, {
      env: { ...options.env, WRANGLER_SEND_METRICS: "false" },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { stdout, stderr };
  };
  return {
    describe: `${where} Workers KV (binding CONFIG, key "${storedConfigKey}")`,
    async read() {
      const { stdout, stderr } = await call(["kv", "key", "get", storedConfigKey, "--text", ...common]);
      if (/Value not found/.test(stdout + stderr)) return undefined;
      return stdout.replace(/\n$/, "");
    },
    async write(json) {
      const dir = mkdtempSync(join(tmpdir(), "config-cli-"));
      try {
        writeFileSync(join(dir, "config.json"), json);
        await call(["kv", "key", "put", storedConfigKey, "--path", join(dir, "config.json"), ...common]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
