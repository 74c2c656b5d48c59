import { pino } from "pino";
import type { ConfigLog } from "../../config/config-source.ts";
import type { RpcLogger } from "../../interceptors/logging.ts";

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

/** JSON lines on stdout through pino: {"level":"info","time":"...",...}. */
export function createPino(destination?: pino.DestinationStream): pino.Logger {
  return pino(
    {
      base: undefined,
      timestamp: isoTimeOncePerMs,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** RPC log lines through pino. */
export function pinoRpcLogger(logger: pino.Logger): RpcLogger {
  return ({ level, ...fields }) => logger[level](fields);
}

/** Config log lines through pino. */
export function pinoConfigLog(logger: pino.Logger): ConfigLog {
  return ({ level, msg, ...fields }) => logger[level](fields, msg);
}
