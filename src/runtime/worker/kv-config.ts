import { type ConfigSource, storedConfigKey } from "../../config/config-source.ts";
import { type ConfigStore, createConfigStore } from "../../config/config-store.ts";
import type { Config } from "../../gen/acme/config/v1/config_pb.ts";
import { consoleConfigLog } from "./console-loggers.ts";
import type { WorkerEnv } from "./worker-env.ts";

/** Default time an isolate serves its cached config before re-reading KV. */
const defaultRefreshMs = 30_000;

/** The `CONFIG` KV namespace as a config source. */
export function kvConfigSource(kv: KVNamespace): ConfigSource {
  return {
    name: `kv:${storedConfigKey}`,
    read: async () => (await kv.get(storedConfigKey)) ?? undefined,
  };
}

interface IsolateConfig {
  store: ConfigStore;
  checkedAt: number;
  refreshing?: Promise<void> | undefined;
}

const byEnv = new WeakMap<WorkerEnv, IsolateConfig>();

/**
 * The config store of this isolate. The first request awaits one KV read; after that
 * requests use the cached snapshot, and once it is older than CONFIG_REFRESH_MS (default
 * 30 s) one request starts a background re-read (`ctx.waitUntil`) without waiting for
 * it. Steady-state requests therefore do no KV read at all.
 */
export async function configStoreFor(env: WorkerEnv, ctx: ExecutionContext): Promise<ConfigStore> {
  let state = byEnv.get(env);
  if (!state) {
    const store = createConfigStore({
      source: kvConfigSource(env.CONFIG),
      env: env as unknown as Record<string, unknown>,
      log: consoleConfigLog,
    });
    await store.refresh();
    state = { store, checkedAt: Date.now() };
    byEnv.set(env, state);
    return store;
  }
  if (!state.refreshing && Date.now() - state.checkedAt >= refreshMs(env)) {
    const current = state;
    current.checkedAt = Date.now();
    current.refreshing = current.store.refresh().finally(() => {
      current.refreshing = undefined;
    });
    ctx.waitUntil(current.refreshing);
  }
  return state.store;
}

/** The snapshot this isolate holds for `env`, if it has loaded one. */
export function loadedConfig(env: WorkerEnv): Config | undefined {
  return byEnv.get(env)?.store.current();
}

function refreshMs(env: WorkerEnv): number {
  const ms = Number(env.CONFIG_REFRESH_MS ?? defaultRefreshMs);
  return Number.isFinite(ms) && ms >= 0 ? ms : defaultRefreshMs;
}
