import { create } from "@bufbuild/protobuf";
import { type Config, ConfigSchema, LogLevel } from "../gen/acme/config/v1/config_pb.ts";

/** The configuration in code: what applies where neither the store nor env says otherwise. */
export function defaultConfig(): Config {
  return create(ConfigSchema, {
    userListing: { defaultPageSize: 50, maxPageSize: 100 },
    orders: { creationEnabled: true },
    maintenance: { enabled: false, retryAfterSeconds: 60, message: "" },
    observability: { logLevel: LogLevel.INFO, traceSampleRatio: 1 },
    cors: { allowedOrigins: [] },
    // Generous per caller and method (100 calls/s on average): stops one client's flood,
    // never a normal client or the test suites. Load tests switch it off (docs/rate-limits.md).
    rateLimits: { enabled: true, requests: 6000, periodSeconds: 60, methods: {}, exempt: [] },
    gateway: { nodeOrigins: {} },
  });
}
