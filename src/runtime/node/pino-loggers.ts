import { pino } from "pino";
import type { ConfigLog } from "../../config/config-source.ts";
import type { RpcLogger } from "../../interceptors/logging.ts";

/** JSON lines on stdout through pino: {"level":"info","time":"...",...}. */
export function createPino(destination?: pino.DestinationStream): pino.Logger {
  return pino(
    {
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
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
