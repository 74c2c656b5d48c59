// src/config/: the typed runtime config (acme.config.v1.Config). Sources (SQLite, a file,
// Workers KV), env overrides, validation with protovalidate, and the store that keeps the
// last good snapshot and hot-reloads it (this file). docs/config.md.

import { toBinary } from "@bufbuild/protobuf";
import { type Config, ConfigSchema } from "../gen/acme/config/v1/config_pb.ts";
import type { ConfigLog, ConfigSource } from "./config-source.ts";
import { defaultConfig } from "./defaults.ts";
import { configFromEnv } from "./env-layer.ts";
import { overlay } from "./overlay.ts";
import { configProblems, parseConfig } from "./parse-config.ts";

export interface ConfigStore {
  /** The current snapshot. Never mutate it; a new one replaces it whole. */
  current(): Config;
  /** Reads the source once and swaps the snapshot if the stored config changed and is valid. */
  refresh(): Promise<void>;
  /**
   * Whether a version read from the source is in effect (or the source holds none). False
   * until the first good read, so an instance whose stored config is rejected at start
   * runs on defaults but does not report ready (src/health/readiness.ts).
   */
  loaded(): boolean;
}

/**
 * Holds the effective config: defaults < stored config < environment. A stored version
 * that does not parse or breaks a rule never takes effect: the last good snapshot
 * stays, and one error line per bad version says why (field paths). Env problems are a
 * deployment error and throw at creation.
 */
export function createConfigStore(options: { source: ConfigSource; env: Record<string, unknown>; log: ConfigLog }): ConfigStore {
  const { source, log } = options;
  const envLayer = configFromEnv(options.env);
  const base = defaultConfig();
  // The defaults alone are valid (a test checks): validating them would only compile
  // CEL rules at every start (tens of milliseconds). Anything set on top is validated.
  const envEmpty = toBinary(ConfigSchema, envLayer).byteLength === 0;
  const envProblems = envEmpty ? [] : configProblems(overlay(ConfigSchema, base, envLayer));
  if (envProblems.length > 0) {
    throw new Error(`invalid CONFIG_* / OTEL_TRACES_SAMPLER_ARG environment: ${envProblems.join("; ")}`);
  }
  let snapshot = freeze(overlay(ConfigSchema, base, envLayer));
  let lastSeen: string | undefined | null = null; // null: never read
  let loaded = false;

  return {
    current: () => snapshot,
    loaded: () => loaded,
    async refresh() {
      let text: string | undefined;
      try {
        text = await source.read();
      } catch (error) {
        log({
          level: "error",
          msg: `config source unreadable, keeping the current config: ${(error as Error).message}`,
          source: source.name,
        });
        return;
      }
      if (text === lastSeen) return;
      lastSeen = text;
      let stored = defaultConfig();
      if (text !== undefined) {
        const parsed = parseConfig(text);
        if (!parsed.ok) {
          log({ level: "error", msg: "stored config rejected, keeping the last good one", source: source.name, problems: parsed.problems });
          return;
        }
        stored = overlay(ConfigSchema, base, parsed.config);
      }
      const effective = overlay(ConfigSchema, stored, envLayer);
      const problems = text === undefined && envEmpty ? [] : configProblems(effective);
      if (problems.length > 0) {
        log({
          level: "error",
          msg: "stored config rejected (with defaults and env), keeping the last good one",
          source: source.name,
          problems,
        });
        return;
      }
      snapshot = freeze(effective);
      loaded = true;
      log({ level: "info", msg: text === undefined ? "no stored config, using defaults" : "config applied", source: source.name });
    },
  };
}

/** Deep-freezes a snapshot so no reader can change what others see. */
function freeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) freeze(child);
  }
  return value;
}
