import { MethodOptions_IdempotencyLevel, durationFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { configKey } from "../config/config-context.ts";
import { RetryInfoSchema } from "../gen/google/rpc/error_details_pb.ts";

/**
 * Maintenance mode (config `maintenance`): calls that may change data fail fast with
 * `unavailable`, a `google.rpc.RetryInfo` detail and the delay in the message; reads
 * (methods declared NO_SIDE_EFFECTS) keep working, as do the services named in `exempt`
 * (health checks, whose protos we do not own).
 */
export function createMaintenanceInterceptor(options: { exempt?: ReadonlySet<string> } = {}): Interceptor {
  const exempt = options.exempt ?? new Set<string>();
  return (next) => (req) => {
    const maintenance = req.contextValues.get(configKey).maintenance;
    if (
      maintenance?.enabled &&
      req.method.idempotency !== MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS &&
      !exempt.has(req.service.typeName)
    ) {
      const seconds = maintenance.retryAfterSeconds ?? 60;
      const why = maintenance.message ? `: ${maintenance.message}` : "";
      throw new ConnectError(
        `in maintenance, changes are paused${why}; retry in ${seconds} s`,
        Code.Unavailable,
        { "retry-after": String(seconds) },
        [{ desc: RetryInfoSchema, value: { retryDelay: durationFromMs(seconds * 1000) } }],
      );
    }
    return next(req);
  };
}
