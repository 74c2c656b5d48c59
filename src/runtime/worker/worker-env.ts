/** Bindings declared in wrangler.toml. */
export interface WorkerEnv {
  /** D1 database with the schema from migrations/. */
  DB: D1Database;
  /** KV namespace reserved for runtime configuration. */
  CONFIG: KVNamespace;
}
