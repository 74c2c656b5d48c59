import { type Interceptor, createContextKey } from "@connectrpc/connect";
import type { Config } from "../gen/acme/config/v1/config_pb.ts";
import { defaultConfig } from "./defaults.ts";

/** The config snapshot of the current call; defaults where no interceptor set one. */
export const configKey = createContextKey<Config>(defaultConfig(), { description: "config snapshot" });

/**
 * Pins one config snapshot to each call, first in the chain: everything after it (and
 * the service) sees the same, whole version even if the config changes mid-call.
 */
export function createConfigInterceptor(current: () => Config): Interceptor {
  return (next) => (req) => {
    req.contextValues.set(configKey, current());
    return next(req);
  };
}
