import { pino } from "pino";
import type { ConfigLog } from "../../config/config-source.ts";
import type { RpcLogger } from "../../interceptors/logging.ts";
import { rpcLogLine } from "./rpc-log-line.ts";
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
 * RPC log lines into pino's destination, as pino writes them (rpc-log-line.ts), rather
 * than through pino's generic path: one line per call through pino (serializer lookups,
 * its string escaper, the rest copy) was about 13% of a gRPC call's CPU. Lines are byte
 * for byte pino's (test/node/rpc-log-lines.test.ts). Other lines (config, server) still
 * go through pino, into the same destination, so order is kept.
 */
export function rpcLogLines(destination: pino.DestinationStream): RpcLogger {
  return (entry) => {
    destination.write(rpcLogLine(entry, isoTimeOncePerMs()));
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
