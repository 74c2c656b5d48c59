import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type LoadResult, runH2load } from "./h2load.ts";
import type { RowResult } from "./results.ts";
import { sampleRss } from "./rss.ts";
import type { ServerProcess } from "./server-process.ts";
import type { UserFixture } from "./server-options.ts";
import type { BenchSettings } from "./settings.ts";
import { median } from "./stats.ts";
import type { BenchTools } from "./tools.ts";
import { type PairSide, type PairUsage, pairMode, runChainPairs, sliceWarmUpSeconds } from "./run-chain-pairs.ts";
import { type ServerName, type UnaryRowSpec, chainCostPairs, h1Load, h2Load, orderOfRound, unaryRows } from "./unary-rows.ts";
import { verifyRequest } from "./verify.ts";
import { getUserRequest } from "./wire-requests.ts";

export interface UnaryContext {
  tools: BenchTools;
  settings: BenchSettings;
  /** Each server, or why it is not there. */
  servers: ReadonlyMap<ServerName, ServerProcess | Error>;
  user: UserFixture;
  workDir: string;
  log: (line: string) => void;
}

interface Active {
  spec: UnaryRowSpec;
  server: ServerProcess;
  url: string;
  bodyFile: string;
  headers: Readonly<Record<string, string>>;
  results: LoadResult[];
  peakRss: number[];
  /** Empty-chain rows: see RowResult.pairRatios and pairUsage. */
  pairRatios?: number[];
  pairUsage?: PairUsage[];
  error?: string;
}

const loadOf = (spec: UnaryRowSpec) => (spec.h1 ? h1Load : h2Load);
const describeLoad = (spec: UnaryRowSpec) =>
  spec.h1 ? `${h1Load.connections} conns, HTTP/1.1` : `${h2Load.connections} conns x ${h2Load.streams} streams`;

function baseRow(spec: UnaryRowSpec): Omit<RowResult, "status"> {
  return {
    id: spec.id,
    label: spec.label,
    group: "unary",
    load: describeLoad(spec),
    unit: "req/s",
    rounds: "unary",
    ...(spec.anchor ? { anchor: spec.anchor } : {}),
  };
}

/** One h2load run of `row`'s request; `seconds` measured after `warmUpSeconds`. */
function loadRow(context: UnaryContext, row: Active, seconds: number, warmUpSeconds: number): Promise<LoadResult> {
  return runH2load(
    context.tools,
    { url: row.url, h1: row.spec.h1, ...loadOf(row.spec), bodyFile: row.bodyFile, headers: row.headers, seconds, warmUpSeconds },
    context.workDir,
  );
}

/**
 * Every unary row: each request verified once, then BENCH_WARMUP_ROUNDS rounds whose
 * numbers are discarded, then BENCH_RUNS rounds in which every row runs once, each
 * beside the rows it is compared with (orderOfRound), the server's RSS sampled during
 * each of its measured runs; then BENCH_CHAIN_PAIRS pairs of short slices for each
 * chain pair, both servers loaded at once when pinned (run-chain-pairs.ts). A row that
 * fails stops running, and so leaves fewer runs than the others: ratios then fall back
 * to medians (targets.ts).
 */
export async function runUnaryRows(context: UnaryContext): Promise<RowResult[]> {
  const { tools, settings, log } = context;
  if (!tools.h2load) {
    return unaryRows.map((spec) => ({ ...baseRow(spec), status: "not run", reason: "h2load is not installed" }));
  }
  const rows = new Map<string, RowResult>();
  const active: Active[] = [];
  for (const spec of unaryRows) {
    const server = context.servers.get(spec.server);
    if (!server || server instanceof Error) {
      rows.set(spec.id, { ...baseRow(spec), status: "failed", reason: `server did not start: ${server?.message ?? "unknown"}` });
      continue;
    }
    const port = server.ports[spec.port];
    const request = getUserRequest(spec.protocol, context.user.id);
    try {
      if (port === undefined) throw new Error(`server ${spec.server} has no port "${spec.port}"`);
      await verifyRequest(port, spec.h1, request, spec.expect === "echo" ? { kind: "echo" } : { kind: "user", user: context.user });
    } catch (error) {
      rows.set(spec.id, { ...baseRow(spec), status: "failed", reason: (error as Error).message });
      continue;
    }
    const bodyFile = join(context.workDir, `${spec.id}.body`);
    writeFileSync(bodyFile, request.body);
    const url = `http://127.0.0.1:${port}${request.path}`;
    active.push({ spec, server, url, bodyFile, headers: request.headers, results: [], peakRss: [] });
  }
  const activeById = new Map(active.map((row) => [row.spec.id, row]));
  // Warm-up rounds first (numbered up to 0), then the measured ones (1 to runs).
  for (let run = 1 - settings.warmUpRounds; run <= settings.runs; run++) {
    const warmUp = run < 1;
    const name = warmUp ? `warm-up ${run + settings.warmUpRounds}/${settings.warmUpRounds}` : `run ${run}/${settings.runs}`;
    for (const id of orderOfRound(run)) {
      const row = activeById.get(id);
      if (!row || row.error) continue;
      const rss = warmUp ? undefined : sampleRss(row.server.pid);
      try {
        const result = await loadRow(context, row, settings.seconds, settings.warmUpSeconds);
        if (!warmUp) row.results.push(result);
        log(`  ${name} ${row.spec.id}: ${Math.round(result.reqPerSec)} req/s, p99 ${result.p99Ms.toFixed(2)} ms`);
      } catch (error) {
        row.error = (error as Error).message;
        log(`  ${name} ${row.spec.id}: FAILED ${row.error}`);
      } finally {
        const peak = rss?.stop();
        if (peak !== undefined) row.peakRss.push(peak);
      }
    }
  }
  const mode = pairMode(tools);
  for (const [fullId, emptyId] of chainCostPairs) {
    const [full, empty] = [activeById.get(fullId), activeById.get(emptyId)];
    if (!full || !empty || full.error || empty.error || settings.chainPairs === 0) continue;
    log(`  chain pairs ${fullId} / ${emptyId}: ${settings.chainPairs} x ${settings.chainSeconds} s, ${mode}`);
    const side = (row: Active): PairSide => ({
      load: async () => (await loadRow(context, row, settings.chainSeconds, sliceWarmUpSeconds)).reqPerSec,
      usage: () => row.server.usage(),
    });
    try {
      const pairs = await runChainPairs(settings.chainPairs, side(full), side(empty), log, mode);
      empty.pairRatios = pairs.ratios;
      empty.pairUsage = pairs.usage;
    } catch (error) {
      // A wrong answer in a slice is a failure like one in a round.
      empty.error = `chain pairs: ${(error as Error).message}`;
      log(`  chain pairs ${fullId} / ${emptyId}: FAILED ${empty.error}`);
    }
  }
  for (const row of active) {
    if (row.error) {
      rows.set(row.spec.id, { ...baseRow(row.spec), status: "failed", reason: row.error });
      continue;
    }
    const runs = row.results.map((result) => result.reqPerSec);
    rows.set(row.spec.id, {
      ...baseRow(row.spec),
      status: "ok",
      value: median(runs),
      runs,
      p50Ms: median(row.results.map((result) => result.p50Ms)),
      p99Ms: median(row.results.map((result) => result.p99Ms)),
      ...(row.peakRss.length > 0 ? { peakRssBytes: Math.max(...row.peakRss) } : {}),
      ...(row.pairRatios ? { pairRatios: row.pairRatios } : {}),
      ...(row.pairUsage ? { pairUsage: row.pairUsage } : {}),
    });
  }
  return unaryRows.map((spec) => rows.get(spec.id)!);
}
