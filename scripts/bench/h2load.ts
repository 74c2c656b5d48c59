import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { percentileOfSorted } from "./stats.ts";
import { type BenchTools, h2loadCommand, onCore } from "./tools.ts";

/** One timed h2load run: `connections` x `streams` requests in flight, one fixed body. */
export interface LoadSpec {
  url: string;
  /** HTTP/1.1 (--h1) rather than h2c with prior knowledge. */
  h1: boolean;
  connections: number;
  /** Concurrent streams per connection (h2c); 1 for HTTP/1.1 (no pipelining). */
  streams: number;
  bodyFile: string;
  headers: Readonly<Record<string, string>>;
  seconds: number;
  warmUpSeconds: number;
}

export interface LoadResult {
  reqPerSec: number;
  /** Responses in the measured window. */
  requests: number;
  p50Ms: number;
  p99Ms: number;
}

const durationArg = (seconds: number) => `${Math.max(1, Math.round(seconds * 1000))}ms`;

/**
 * Runs h2load on CPU 1. Only the measured window counts: h2load's req/s divides by the
 * main duration, and its per-request log (--log-file) holds only that window's
 * requests, from which p50/p99 come. Any failed or non-2xx response fails the run: the
 * rows compare servers that answer every request correctly (gRPC errors arrive as HTTP
 * 200, which is why scripts/bench/verify.ts checks each request's answer beforehand).
 */
export async function runH2load(tools: BenchTools, spec: LoadSpec, workDir: string): Promise<LoadResult> {
  const logFile = join(workDir, `h2load-${process.pid}-${Date.now()}.tsv`);
  const args = [
    h2loadCommand,
    ...(spec.h1 ? ["--h1"] : []),
    "-t",
    "1",
    "-c",
    String(spec.connections),
    "-m",
    String(spec.streams),
    "-D",
    durationArg(spec.seconds),
    "--warm-up-time",
    durationArg(spec.warmUpSeconds),
    "-d",
    spec.bodyFile,
    ...Object.entries(spec.headers).flatMap(([name, value]) => ["-H", `${name}: ${value}`]),
    "--log-file",
    logFile,
    spec.url,
  ];
  const argv = onCore(tools, 1, args);
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    child.stdout.on("data", (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (text += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve(text) : reject(new Error(`h2load exited with ${code}:\n${text}`))));
  });
  try {
    return parseResult(output, readFileSync(logFile, "utf8"), spec.connections * spec.streams);
  } finally {
    rmSync(logFile, { force: true });
  }
}

function parseResult(output: string, log: string, inFlight: number): LoadResult {
  const counts = /requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(
    output,
  );
  const codes = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(output);
  const rate = /finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(output);
  if (!counts || !codes || !rate) throw new Error(`unexpected h2load output:\n${output}`);
  const [done, succeeded, failed, errored, timeout] = [3, 4, 5, 6, 7].map((i) => Number(counts[i]));
  const notOk = Number(codes[2]) + Number(codes[3]) + Number(codes[4]);
  const summary = `${counts[0]}; ${codes[0]}`;
  // Status counts are not compared with "succeeded": with -D, a gRPC response whose
  // headers came before the window and trailers inside it (or the reverse) is in one
  // count and not the other. The log's per-request statuses are checked instead.
  if (done === 0 || failed !== 0 || errored !== 0 || timeout !== 0 || notOk !== 0) {
    throw new Error(`h2load: not every request succeeded: ${summary}`);
  }
  // Columns: start (us since epoch), HTTP status (-1: failed), microseconds to the end of
  // the response. Status 0: the response headers came before the window opened (h2load
  // records statuses only inside it); at most one such request per stream in flight.
  const latencies: number[] = [];
  let headersBefore = 0;
  for (const line of log.split("\n")) {
    if (line === "") continue;
    const [, status, micros] = line.split("\t");
    if (status === "0") headersBefore++;
    else if (status !== "200") throw new Error(`h2load: a request got status ${status}: ${summary}`);
    latencies.push(Number(micros));
  }
  if (headersBefore > inFlight) {
    throw new Error(`h2load: ${headersBefore} requests without a status, more than ${inFlight} in flight: ${summary}`);
  }
  if (latencies.length !== succeeded) {
    throw new Error(`h2load: ${latencies.length} requests logged, ${succeeded} succeeded: ${summary}`);
  }
  latencies.sort((a, b) => a - b);
  return {
    reqPerSec: Number(rate[1]),
    requests: succeeded!,
    p50Ms: percentileOfSorted(latencies, 50) / 1000,
    p99Ms: percentileOfSorted(latencies, 99) / 1000,
  };
}
