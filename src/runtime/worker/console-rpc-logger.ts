import type { RpcLogger } from "../../interceptors/logging.ts";

/** RPC log lines as JSON through console, which Workers Logs indexes. */
export const consoleRpcLogger: RpcLogger = (entry) => {
  const line = JSON.stringify({ time: new Date().toISOString(), ...entry });
  if (entry.level === "error") console.error(line);
  else console.log(line);
};
