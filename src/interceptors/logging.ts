import { ConnectError, type Interceptor } from "@connectrpc/connect";
import { callerKey } from "../auth/caller.ts";
import { configKey } from "../config/config-context.ts";
import { LogLevel } from "../gen/acme/config/v1/config_pb.ts";
import { refusalKey } from "../protocol/request-gate.ts";
import { type SettleScheduler, codeName, isServerFault, observe, procedureOf, protocolOf } from "./rpc-call.ts";
import { traceIdsOf } from "./span-context.ts";

/** One structured line per RPC. Never carries request bodies, headers or secrets. */
export interface RpcLogEntry {
  level: "info" | "error";
  procedure: string;
  protocol: string;
  code: string;
  duration_ms: number;
  trace_id?: string;
  span_id?: string;
  /** The authenticated caller's subject (never the token). */
  subject?: string;
  /** Why the request gate refused the call (`token expired`, `subject ada lacks users:write`). */
  refused?: string;
  /** Only for server-side failures: the underlying error, with its stack. */
  error?: { message: string; type: string; stack?: string };
}

/** Where RPC log lines go: pino on Node, console JSON (Workers Logs) on Workers. */
export type RpcLogger = (entry: RpcLogEntry) => void;

/**
 * Logs every RPC once it is over (streams: when the last message is sent), unless its
 * level is below the configured `observability.log_level`. `schedule`: see SettleScheduler.
 */
export function createLoggingInterceptor(log: RpcLogger, { schedule }: { schedule?: SettleScheduler } = {}): Interceptor {
  return (next) => (req) => {
    return observe(
      next,
      req,
      (failure, elapsedMs) => {
        const error = failure === undefined ? undefined : ConnectError.from(failure);
        const serverFault = error !== undefined && isServerFault(error.code);
        const threshold = req.contextValues.get(configKey).observability?.logLevel ?? LogLevel.INFO;
        if ((serverFault ? LogLevel.ERROR : LogLevel.INFO) < threshold) return;
        // Built field by field rather than from spreads: one object per line instead of one
        // per optional part, in the key order the line is written in.
        const entry: RpcLogEntry = {
          level: serverFault ? "error" : "info",
          procedure: procedureOf(req),
          protocol: protocolOf(req),
          code: codeName(error?.code),
          duration_ms: Math.round(elapsedMs * 1000) / 1000,
        };
        const ids = traceIdsOf(req);
        if (ids) {
          entry.trace_id = ids.traceId;
          entry.span_id = ids.spanId;
        }
        const caller = req.contextValues.get(callerKey);
        if (caller) entry.subject = caller.subject;
        const refused = req.contextValues.get(refusalKey);
        if (refused !== undefined) entry.refused = refused;
        if (serverFault) entry.error = describe(error.cause ?? error);
        log(entry);
      },
      schedule,
    );
  };
}

function describe(error: unknown): RpcLogEntry["error"] {
  if (error instanceof Error) {
    return { message: error.message, type: error.name, ...(error.stack ? { stack: error.stack } : {}) };
  }
  return { message: String(error), type: typeof error };
}
