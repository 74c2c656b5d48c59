import type { ConfigLog } from "../../config/config-source.ts";
import type { RpcLogger } from "../../interceptors/logging.ts";

/** One JSON log line through console (errors to console.error), as Workers Logs indexes it. */
export function writeLogLine(level: string, fields: object): void {
  const line = JSON.stringify({ time: new Date().toISOString(), level, ...fields });
  if (level === "error") console.error(line);
  else console.log(line);
}

/** RPC log lines as JSON through console, which Workers Logs indexes. */
export const consoleRpcLogger: RpcLogger = ({ level, ...fields }) => writeLogLine(level, fields);

/** Config log lines, the same way. */
export const consoleConfigLog: ConfigLog = ({ level, ...fields }) => writeLogLine(level, fields);
