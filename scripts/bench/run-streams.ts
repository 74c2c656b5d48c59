import { spawn } from "node:child_process";
import type { RowResult } from "./results.ts";
import { sampleRss } from "./rss.ts";
import type { ServerProcess } from "./server-process.ts";
import type { BenchSettings } from "./settings.ts";
import { median } from "./stats.ts";
import { type BenchTools, onCore } from "./tools.ts";
import type { ServerName } from "./unary-rows.ts";

const client = new URL("./stream-client.ts", import.meta.url).pathname;

interface StreamRowSpec {
  id: string;
  label: string;
  server: ServerName;
  port: string;
  anchor?: string;
}

export const streamRows: readonly StreamRowSpec[] = [
  { id: "stream-grpc-js", label: "anchor: @grpc/grpc-js ExportUsers (SQLite), gRPC, h2c", server: "grpc-js", port: "h2c" },
  { id: "stream-template", label: "template ExportUsers, gRPC, h2c", server: "template", port: "port", anchor: "stream-grpc-js" },
];

/** The template must stream at least as fast as grpc-js. */
export const streamTarget = 1.0;

interface StreamRun {
  messages: number;
  seconds: number;
  calls: number;
}

function runClient(tools: BenchTools, options: object): Promise<StreamRun> {
  const argv = onCore(tools, 1, [process.execPath, client, JSON.stringify(options)]);
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve(JSON.parse(stdout) as StreamRun) : reject(new Error(`stream client: ${stderr.trim() || `exit ${code}`}`)),
    );
  });
}

/**
 * ExportUsers of every user, `streams` calls at a time, through one grpc-js client
 * process on CPU 1 for both servers; messages per second over the measured window,
 * median of BENCH_RUNS interleaved runs.
 */
export async function runStreamRows(
  tools: BenchTools,
  settings: BenchSettings,
  servers: ReadonlyMap<ServerName, ServerProcess | Error>,
  log: (line: string) => void,
): Promise<RowResult[]> {
  const load = `${settings.streams} streams x ${settings.exportUsers} users`;
  const base = (spec: StreamRowSpec) => ({
    id: spec.id,
    label: spec.label,
    group: "stream" as const,
    load,
    unit: "msg/s" as const,
    rounds: "stream",
    ...(spec.anchor ? { anchor: spec.anchor } : {}),
  });
  const state = streamRows.map((spec) => {
    const server = servers.get(spec.server);
    return { spec, server, rates: [] as number[], rss: [] as number[], error: undefined as string | undefined };
  });
  for (const row of state) {
    if (!row.server || row.server instanceof Error) row.error = `server did not start: ${row.server?.message ?? "unknown"}`;
  }
  for (let run = 1; run <= settings.runs; run++) {
    for (const row of state) {
      if (row.error || !row.server || row.server instanceof Error) continue;
      const rss = sampleRss(row.server.pid);
      try {
        const result = await runClient(tools, {
          address: `127.0.0.1:${row.server.ports[row.spec.port]}`,
          streams: settings.streams,
          seconds: settings.seconds,
          warmUpSeconds: settings.warmUpSeconds,
          expected: settings.exportUsers,
        });
        const rate = result.messages / result.seconds;
        row.rates.push(rate);
        log(`  run ${run}/${settings.runs} ${row.spec.id}: ${Math.round(rate)} msg/s (${result.calls} calls)`);
      } catch (error) {
        row.error = (error as Error).message;
        log(`  run ${run}/${settings.runs} ${row.spec.id}: FAILED ${row.error}`);
      } finally {
        const peak = rss.stop();
        if (peak !== undefined) row.rss.push(peak);
      }
    }
  }
  return state.map(
    (row): RowResult =>
      row.error
        ? { ...base(row.spec), status: "failed", reason: row.error }
        : {
            ...base(row.spec),
            status: "ok",
            value: median(row.rates),
            runs: row.rates,
            ...(row.rss.length > 0 ? { peakRssBytes: Math.max(...row.rss) } : {}),
          },
  );
}
