import { pino } from "pino";
import type { ConfigLog } from "../../config/config-source.ts";
import type { RpcLogger } from "../../interceptors/logging.ts";
import type { ServerLog } from "./start-server.ts";

let lastMs = Number.NaN;
let lastIso = "";

/**
 * The time as pino's isoTime writes it, formatted once per millisecond: at thousands of
 * lines a second, `toISOString()` on every line was the largest cost of logging after the
 * write itself.
 */
function isoTimeOncePerMs(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastIso = new Date(now).toISOString();
  }
  return lastIso;
}

/** JSON lines through pino: {"level":"info","time":"...",...}. */
export function createPino(destination: pino.DestinationStream): pino.Logger {
  return pino(
    {
      base: undefined,
      timestamp: () => `,"time":"${isoTimeOncePerMs()}"`,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/**
 * RPC log lines into pino's destination, as pino writes them ({"level":"info","time":
 * "...", then the entry's fields in RpcLogEntry's order, which is the order the logging
 * interceptor sets them in; fields whose value is undefined left out, as pino does), made
 * by one JSON.stringify of an object with those keys in that order rather than pino's
 * generic path: one line per call through pino (serializer lookups, its string escaper,
 * the rest copy) was about 13% of a gRPC call's CPU. V8's JSON.stringify writes one flat
 * string; the template string it replaced built the line from ~15 pieces and took ~1.5x
 * as long, joined and encoded (a whole GetUser call in process: ~7%; in the server, within
 * the noise: docs/performance.md). Fewer moving parts than that builder, too: no cache
 * of escaped values, no number formatting of our own. Lines are byte for byte pino's
 * (test/node/rpc-log-lines.test.ts). Other lines (config, server) still go through pino,
 * into the same destination, so order is kept.
 */
export function rpcLogLines(destination: pino.DestinationStream): RpcLogger {
  return (entry) => {
    const line = JSON.stringify({
      level: entry.level,
      time: isoTimeOncePerMs(),
      procedure: entry.procedure,
      protocol: entry.protocol,
      code: entry.code,
      duration_ms: entry.duration_ms,
      trace_id: entry.trace_id,
      span_id: entry.span_id,
      subject: entry.subject,
      refused: entry.refused,
      error: entry.error,
    });
    destination.write(`${line}\n`);
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
