/** Bindings and vars of the Worker (wrangler.toml, `wrangler secret put`). */
export interface WorkerEnv {
  /** D1 database with the schema from migrations/. */
  DB: D1Database;
  /** Runtime configuration: protobuf JSON of acme.config.v1.Config under the key "config". */
  CONFIG: KVNamespace;
  /** How long an isolate uses its cached config before re-reading KV (ms, default 30000). */
  CONFIG_REFRESH_MS?: string;
  /** Optional service binding to a Worker serving UserService; default: this Worker. */
  USER_SERVICE?: Fetcher;
  /** Optional URL of UserService, used when USER_SERVICE is not bound. */
  USER_SERVICE_URL?: string;
  /**
   * JSON object mapping a service's type name to the Node origin serving it, e.g.
   * `{"acme.order.v1.OrderService":"https://orders.internal"}` (docs/gateway.md); optional.
   */
  NODE_ORIGINS?: string;
  /**
   * Sent with every forwarded call (a secret: `wrangler secret put GATEWAY_SECRET`); the
   * Node origins' GATEWAY_SECRET: they then skip their rate limit for these calls (docs/gateway.md).
   */
  GATEWAY_SECRET?: string;
  /** Workers Analytics Engine dataset receiving one data point per RPC (docs/metrics.md); optional. */
  RPC_METRICS?: AnalyticsEngineDataset;
  /**
   * Rate Limiting binding counting calls per caller and method (docs/rate-limits.md); its
   * limit is in wrangler.toml. Missing: nothing is rate limited (logged).
   */
  RATE_LIMITER?: RateLimit;
  /**
   * Whose bearer tokens are trusted (src/auth/auth-settings.ts): vars, with AUTH_JWKS as a
   * secret if you prefer. None set: every protected method refuses every call.
   */
  AUTH_ISSUER?: string;
  AUTH_AUDIENCE?: string;
  AUTH_JWKS?: string;
  AUTH_JWKS_URL?: string;
  AUTH_CLOCK_TOLERANCE_S?: string;
  /** Standard OpenTelemetry variables; tracing is off without an endpoint. */
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;
  OTEL_EXPORTER_OTLP_HEADERS?: string;
  OTEL_SERVICE_NAME?: string;
  OTEL_TRACES_SAMPLER_ARG?: string;
}
