import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { Http2SessionManager, createConnectTransport } from "@connectrpc/connect-node";
import pg from "pg";
import { UserService } from "../../src/gen/acme/user/v1/user_pb.ts";
// The tests' throwaway PostgreSQL (initdb in a temp folder, a free loopback port).
import { type PostgresServer, postgresBinDir, startPostgres } from "../../test/node/postgres.ts";
import { benchAuthorization } from "./bench-auth.ts";
import { runH2load } from "./h2load.ts";
import type { RowResult } from "./results.ts";
import type { UserFixture } from "./server-options.ts";
import { type ServerProcess, startServerProcess } from "./server-process.ts";
import type { BenchSettings } from "./settings.ts";
import { median, percentileOfSorted } from "./stats.ts";
import type { BenchTools } from "./tools.ts";
import { h2Load } from "./unary-rows.ts";
import { verifyRequest } from "./verify.ts";
import { getUserRequest } from "./wire-requests.ts";

// The template on PostgreSQL (DATABASE_URL): GetUser through h2load as the SQLite rows,
// and CreateUser, whose every request needs an e-mail of its own, which h2load's one fixed
// body cannot give: a connect-node client in the bench process keeps 100 calls in flight.

const rowIds = { getUser: "postgres-get-user-h2c", createUser: "postgres-create-user-h2c" } as const;
const load = `${h2Load.connections} conns x ${h2Load.streams} streams`;

function baseRows(): Omit<RowResult, "status">[] {
  return [
    {
      id: rowIds.getUser,
      label: "template GetUser on PostgreSQL, Connect proto, h2c",
      group: "unary",
      load,
      unit: "req/s",
      anchor: "template-proto-h2c",
    },
    {
      id: rowIds.createUser,
      label: "template CreateUser on PostgreSQL, Connect proto, h2c (connect-node client)",
      group: "unary",
      load: "100 calls in flight, 1 h2c connection",
      unit: "req/s",
    },
  ];
}

/** The PostgreSQL rows, or both "not run" with the reason (no initdb, no h2load). */
export async function runPostgresRows(
  tools: BenchTools,
  settings: BenchSettings,
  workDir: string,
  log: (line: string) => void,
): Promise<RowResult[]> {
  const notRun = (reason: string) => baseRows().map((row): RowResult => ({ ...row, status: "not run", reason }));
  if (!tools.h2load) return notRun("h2load is not installed");
  try {
    postgresBinDir();
  } catch (error) {
    return notRun((error as Error).message);
  }
  let postgres: PostgresServer | undefined;
  let server: ServerProcess | undefined;
  try {
    postgres = await startPostgres();
    const databaseUrl = await postgres.createDatabase("bench");
    server = await startServerProcess(tools, "template", { databasePath: join(workDir, "unused.db"), databaseUrl, chain: "full" });
    const port = server.ports.port!;
    const user = await seedUser(databaseUrl);
    const [getUser, createUser] = baseRows() as [RowResult, RowResult];
    return [
      await measureGetUser(tools, settings, workDir, port, user, getUser, log),
      await measureCreateUser(settings, port, createUser, log),
    ];
  } catch (error) {
    return baseRows().map((row): RowResult => ({ ...row, status: "failed", reason: (error as Error).message }));
  } finally {
    await server?.stop();
    await postgres?.remove();
  }
}

async function seedUser(databaseUrl: string): Promise<UserFixture> {
  const user = {
    id: crypto.randomUUID(),
    email: "bench-pg@example.com",
    displayName: "Bench PG",
    createTimeMs: Date.UTC(2026, 0, 1) + 123,
  };
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("INSERT INTO users (id, email, display_name, create_time_ms) VALUES ($1, $2, $3, $4)", [
      user.id,
      user.email,
      user.displayName,
      user.createTimeMs,
    ]);
  } finally {
    await client.end();
  }
  return user;
}

async function measureGetUser(
  tools: BenchTools,
  settings: BenchSettings,
  workDir: string,
  port: number,
  user: UserFixture,
  row: RowResult,
  log: (line: string) => void,
): Promise<RowResult> {
  const request = getUserRequest("connect-proto", user.id);
  await verifyRequest(port, false, request, { kind: "user", user });
  const bodyFile = join(workDir, `${row.id}.body`);
  writeFileSync(bodyFile, request.body);
  const results = [];
  for (let run = 1; run <= settings.runs; run++) {
    const result = await runH2load(
      tools,
      {
        url: `http://127.0.0.1:${port}${request.path}`,
        h1: false,
        ...h2Load,
        bodyFile,
        headers: request.headers,
        seconds: settings.seconds,
        warmUpSeconds: settings.warmUpSeconds,
      },
      workDir,
    );
    log(`  run ${run}/${settings.runs} ${row.id}: ${Math.round(result.reqPerSec)} req/s, p99 ${result.p99Ms.toFixed(2)} ms`);
    results.push(result);
  }
  const runs = results.map((result) => result.reqPerSec);
  return {
    ...row,
    status: "ok",
    value: median(runs),
    runs,
    p50Ms: median(results.map((result) => result.p50Ms)),
    p99Ms: median(results.map((result) => result.p99Ms)),
  };
}

async function measureCreateUser(settings: BenchSettings, port: number, row: RowResult, log: (line: string) => void): Promise<RowResult> {
  const sessionManager = new Http2SessionManager(`http://127.0.0.1:${port}`);
  const users = createClient(
    UserService,
    createConnectTransport({ baseUrl: `http://127.0.0.1:${port}`, httpVersion: "2", useBinaryFormat: true, sessionManager }),
  );
  const headers = benchAuthorization();
  let next = 0;
  const createOne = async () => {
    const email = `bench-create-${process.pid}-${next++}@example.com`;
    const { user } = await users.createUser({ email, displayName: "Bench" }, { headers });
    if (user?.email !== email) throw new Error(`CreateUser answered ${JSON.stringify(user)}, expected ${email}`);
  };
  try {
    await createOne(); // connect, and check the answer before anything is timed
    const runs: number[] = [];
    const latencies: number[][] = [];
    for (let run = 1; run <= settings.runs; run++) {
      const window = { measuring: false, stopping: false, done: 0, latencies: [] as number[] };
      const loop = async () => {
        while (!window.stopping) {
          const start = performance.now();
          await createOne();
          if (window.measuring) {
            window.done++;
            window.latencies.push(performance.now() - start);
          }
        }
      };
      const loops = Promise.all(Array.from({ length: 100 }, loop));
      loops.catch(() => {});
      const wait = (seconds: number) => Promise.race([new Promise((resolve) => setTimeout(resolve, seconds * 1000)), loops]);
      await wait(settings.warmUpSeconds);
      window.measuring = true;
      const started = performance.now();
      await wait(settings.seconds);
      window.measuring = false;
      const elapsed = (performance.now() - started) / 1000;
      window.stopping = true;
      await loops;
      runs.push(window.done / elapsed);
      latencies.push(window.latencies.sort((a, b) => a - b));
      log(`  run ${run}/${settings.runs} ${row.id}: ${Math.round(window.done / elapsed)} req/s`);
    }
    return {
      ...row,
      status: "ok",
      value: median(runs),
      runs,
      p50Ms: median(latencies.map((sorted) => percentileOfSorted(sorted, 50))),
      p99Ms: median(latencies.map((sorted) => percentileOfSorted(sorted, 99))),
    };
  } finally {
    sessionManager.abort();
  }
}
