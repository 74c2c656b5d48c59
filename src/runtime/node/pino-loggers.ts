import { pino } from "pino";
import type { ConfigLog } from "../../config/config-source.ts";
import type { RpcLogger } from "../../interceptors/logging.ts";
import type { ServerLog } from "./start-server.ts";

let lastMs = Number.NaN;
let lastTime = "";

/**
 * pino's isoTime, formatted once per millisecond: at thousands of lines a second,
 * `toISOString()` on every line was the largest cost of logging after the write itself.
 */
function isoTimeOncePerMs(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastTime = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTime;
}

/** JSON lines through pino: {"level":"info","time":"...",...}. */
export function createPino(destination: pino.DestinationStream): pino.Logger {
  return pino(
    {
      base: undefined,
      timestamp: isoTimeOncePerMs,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** JSON strings of the values of repeating fields; cleared when full. */
const escapedStrings = new Map<string, string>();
const escapedStringsMax = 1024;

function escapedOnce(value: string): string {
  let json = escapedStrings.get(value);
  if (json === undefined) {
    json = JSON.stringify(value);
    if (escapedStrings.size >= escapedStringsMax) escapedStrings.clear();
    escapedStrings.set(value, json);
  }
  return json;
}

/** A number as pino writes it: JSON's, or null when not finite. */
function numberJson(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/**
 * RPC log lines into pino's destination, as pino writes them ({"level":"info","time":
 * "...", then the entry's fields in RpcLogEntry's order, which is the order the logging
 * interceptor sets them in), formatted straight from the entry's fixed shape: one line
 * per call made pino's generic path (serializer lookups, its string escaper, the rest
 * copy) about 13% of a gRPC call's CPU; this costs about 60% of that, and 30% less again
 * since the fields that repeat (procedure, protocol, code, subject) are escaped once per
 * distinct value, and less again since the fields are read by name rather than walked
 * with for-in (docs/performance.md). Lines parse to the same object as pino's, in the
 * same key order (test/node/rpc-log-lines.test.ts); strings are escaped by
 * JSON.stringify. Other lines (config, server) still go through pino, into the same
 * destination, so order is kept.
 */
export function rpcLogLines(destination: pino.DestinationStream): RpcLogger {
  return (entry) => {
    let line = `{"level":"${entry.level}"${isoTimeOncePerMs()},"procedure":${escapedOnce(entry.procedure)},"protocol":${escapedOnce(entry.protocol)},"code":${escapedOnce(entry.code)},"duration_ms":${numberJson(entry.duration_ms)}`;
    // Optional fields: pino leaves out those whose value is undefined.
    if (entry.trace_id !== undefined) line += `,"trace_id":${JSON.stringify(entry.trace_id)}`;
    if (entry.span_id !== undefined) line += `,"span_id":${JSON.stringify(entry.span_id)}`;
    if (entry.subject !== undefined) line += `,"subject":${escapedOnce(entry.subject)}`;
    if (entry.refused !== undefined) line += `,"refused":${JSON.stringify(entry.refused)}`;
    if (entry.error !== undefined) line += `,"error":${JSON.stringify(entry.error)}`;
    destination.write(`${line}}\n`);
  };
}

/**
 * The Node server's loggers, all into one destination (so lines keep their order): RPC
 * lines by rpcLogLines, config and server lines through pino. main.ts logs with these,
 * and so does the bench's template (scripts/bench/template-server.ts).
 */
export function nodeLoggers(destination: pino.DestinationStream): { log: RpcLogger; configLog: ConfigLog; serverLog: ServerLog } {
  const logger = createPino(destination);
  const pinoLine = ({ level, msg, ...fields }: { level: "info" | "warn" | "error"; msg: string }) => logger[level](fields, msg);
  return { log: rpcLogLines(destination), configLog: pinoLine, serverLog: pinoLine };
}
