import { pino } from "pino";
import type { RpcLogger } from "../../interceptors/logging.ts";

/** RPC log lines as JSON on stdout through pino: {"level":"info","time":"...",...}. */
export function pinoRpcLogger(destination?: pino.DestinationStream): RpcLogger {
  const logger = pino(
    {
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  return ({ level, ...fields }) => logger[level](fields);
}
