import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Probe, timeColdStart } from "./cold-start.ts";
import { benchAuthorization } from "./bench-auth.ts";
import type { RowResult } from "./results.ts";
import { projectRoot } from "./settings.ts";
import type { BenchSettings } from "./settings.ts";
import { median } from "./stats.ts";
import type { BenchTools } from "./tools.ts";

/** The most `npm start` may take from spawn to its first answer. */
export const coldStartTargetMs = 250;

interface ColdRowSpec {
  id: string;
  label: string;
  anchor?: string;
  /** The command, or why it cannot run here. */
  argv: string[] | Error;
  probe: Probe;
}

/** What `npm start` runs, from package.json, as [node, ...flags, file]; only `node [--flag ...] <file>` scripts are understood. */
function npmStartArgv(): string[] | Error {
  const script = (JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")) as { scripts?: Record<string, string> }).scripts
    ?.start;
  const match = /^node ((?:--\S+ )*)(\S+)$/.exec(script ?? "");
  if (!match) return new Error(`npm start is "${script}", not "node [--flag ...] <file>"`);
  const flags = match[1]!.split(" ").filter(Boolean);
  return [process.execPath, ...flags, join(projectRoot, match[2]!)];
}

const listUsers = (): Probe => ({
  method: "POST",
  path: "/acme.user.v1.UserService/ListUsers",
  headers: { "content-type": "application/json", ...benchAuthorization() },
  body: "{}",
});

function coldRows(): ColdRowSpec[] {
  return [
    {
      id: "cold-raw-http",
      label: "anchor: raw node:http hello, spawn to first answer",
      argv: [process.execPath, new URL("./servers/hello.mjs", import.meta.url).pathname],
      probe: { method: "GET", path: "/" },
    },
    {
      id: "cold-npm-start",
      label: "template, npm start, spawn to first ListUsers",
      anchor: "cold-raw-http",
      argv: npmStartArgv(),
      probe: listUsers(),
    },
    {
      id: "cold-sources",
      label: "template from its sources (main.ts, no bundle), spawn to first ListUsers",
      anchor: "cold-raw-http",
      argv: [process.execPath, join(projectRoot, "src/runtime/node/main.ts")],
      probe: listUsers(),
    },
  ];
}

/**
 * Spawn to first successful answer, BENCH_COLD_RUNS times per row (interleaved), each
 * on a fresh SQLite file (created and migrated by the start) and after one untimed
 * start (it builds the server bundle if a source changed, and fills V8's compile cache,
 * as `npm install` and any earlier start would have).
 */
export async function runColdStartRows(
  tools: BenchTools,
  settings: BenchSettings,
  workDir: string,
  log: (line: string) => void,
): Promise<RowResult[]> {
  const specs = coldRows();
  let fresh = 0;
  const env = (port: number): NodeJS.ProcessEnv => {
    const vars: NodeJS.ProcessEnv = {
      ...process.env,
      HOST: "127.0.0.1",
      PORT: String(port),
      DATABASE_PATH: join(workDir, `cold-${fresh++}.db`),
    };
    // As main.ts without an endpoint: no OpenTelemetry SDK.
    delete vars.OTEL_EXPORTER_OTLP_ENDPOINT;
    delete vars.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
    return vars;
  };
  const state = specs.map((spec) => ({
    spec,
    times: [] as number[],
    error: spec.argv instanceof Error ? spec.argv.message : undefined,
  }));
  for (let run = 0; run <= settings.coldRuns; run++) {
    for (const row of state) {
      if (row.error || row.spec.argv instanceof Error) continue;
      try {
        const ms = await timeColdStart(tools, row.spec.argv, env, row.spec.probe, projectRoot);
        if (run === 0) continue; // the untimed start
        row.times.push(ms);
        log(`  start ${run}/${settings.coldRuns} ${row.spec.id}: ${ms.toFixed(0)} ms`);
      } catch (error) {
        row.error = (error as Error).message;
        log(`  ${run === 0 ? "untimed start" : `start ${run}/${settings.coldRuns}`} ${row.spec.id}: FAILED ${row.error}`);
      }
    }
  }
  return state.map((row): RowResult => {
    const base = {
      id: row.spec.id,
      label: row.spec.label,
      group: "cold-start" as const,
      load: `median of ${settings.coldRuns}`,
      unit: "ms" as const,
      ...(row.spec.anchor ? { anchor: row.spec.anchor } : {}),
    };
    return row.error
      ? { ...base, status: "failed", reason: row.error }
      : { ...base, status: "ok", value: median(row.times), runs: row.times };
  });
}
