/** Bindings and vars of the Worker (wrangler.toml, `wrangler secret put`). */
export interface WorkerEnv {
  /** D1 database with the schema from migrations/. */
  DB: D1Database;
  /** KV namespace reserved for runtime configuration. */
  CONFIG: KVNamespace;
  /** Optional service binding to a Worker serving UserService; default: this Worker. */
  USER_SERVICE?: Fetcher;
  /** Optional URL of UserService, used when USER_SERVICE is not bound. */
  USER_SERVICE_URL?: string;
  /** Standard OpenTelemetry variables; tracing is off without an endpoint. */
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;
  OTEL_EXPORTER_OTLP_HEADERS?: string;
  OTEL_SERVICE_NAME?: string;
  OTEL_TRACES_SAMPLER_ARG?: string;
}
