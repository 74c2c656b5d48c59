/** The key the config is stored under: Workers KV and the Node store alike. */
export const storedConfigKey = "config";

/**
 * Where the stored config lives (Workers KV, the Node SQLite store, a mounted file).
 * Like Kratos' config.Source, but reading only: the store polls or caches around it.
 */
export interface ConfigSource {
  /** For log lines, e.g. "kv:config" or "file:/etc/app/config.json". */
  readonly name: string;
  /** The stored protobuf JSON, or undefined when nothing is stored. */
  read(): Promise<string | undefined>;
}

/** Log lines of the config system: what changed, and what was refused and why. */
export type ConfigLog = (entry: { level: "info" | "error"; msg: string; source: string; problems?: string[] }) => void;
