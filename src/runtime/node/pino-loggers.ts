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

/**
 * Where the server's log lines go (stdout unless told otherwise), in batches: lines collect
 * until 4 KiB or 100 ms, then leave in one synchronous write, as Node itself writes
 * process.stdout to files and pipes on Linux. pino's default, an asynchronous write (a
 * round trip through libuv's thread pool) whenever none is in flight, cost ~9% of a
 * Connect JSON call's CPU here, side by side (docs/performance.md). What is pending is
 * written when the process exits, also after an uncaught exception; a SIGKILL loses at
 * most the last 100 ms.
 */
export function batchedDestination(dest: number | string = 1): ReturnType<typeof pino.destination> {
  const stream = pino.destination({ dest, sync: true, minLength: 4096, periodicFlush: 100 });
  process.once("exit", () => stream.flushSync());
  return stream;
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

/** RPC log lines through pino. */
export function pinoRpcLogger(logger: pino.Logger): RpcLogger {
  return ({ level, ...fields }) => logger[level](fields);
}

/** Config log lines through pino. */
export function pinoConfigLog(logger: pino.Logger): ConfigLog {
  return ({ level, msg, ...fields }) => logger[level](fields, msg);
}
