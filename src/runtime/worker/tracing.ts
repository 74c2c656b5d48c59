import { type OtelSettings, readOtelSettings } from "../../telemetry/otel-env.ts";
import { importWorkerModule } from "../../worker-modules.ts";
import { writeLogLine } from "./console-loggers.ts";
import { loadedConfig } from "./kv-config.ts";
import type { WorkerEnv } from "./worker-env.ts";

const settingsByEnv = new WeakMap<object, OtelSettings | undefined>();

/** The Worker's tracing settings, read once per env object; undefined when off or invalid. */
export function otelSettings(env: WorkerEnv): OtelSettings | undefined {
  if (!settingsByEnv.has(env)) {
    let settings: OtelSettings | undefined;
    try {
      settings = readOtelSettings(env as unknown as Record<string, string | undefined>);
    } catch (error) {
      writeLogLine("error", { msg: `tracing disabled: ${(error as Error).message}` });
    }
    settingsByEnv.set(env, settings?.tracesUrl ? settings : undefined);
  }
  return settingsByEnv.get(env);
}

/** The tracing module's name under src/gen/. */
export const traceExportModule = "trace-export-worker.js";

type FetchHandler = ExportedHandlerFetchHandler<WorkerEnv>;

/**
 * `fetch` traced by otel-cf-workers, which lives in a module of its own (trace-export.ts,
 * built into src/gen/trace-export-worker.js and uploaded beside the Worker) imported here
 * on first use: a Worker without an OTLP endpoint never loads it. If it cannot be loaded,
 * an error line says so and `fetch` is served untraced: tracing never takes the service down.
 */
export async function loadTracedFetch(fetch: FetchHandler, moduleName: `${string}-worker.js` = traceExportModule): Promise<FetchHandler> {
  try {
    const { tracedFetch } = await importWorkerModule<typeof import("../../gen/trace-export-worker.js")>(moduleName);
    return tracedFetch(fetch, {
      settings: otelSettings,
      sampleRatio: (env) => loadedConfig(env)?.observability?.traceSampleRatio ?? 1,
    });
  } catch (error) {
    writeLogLine("error", { msg: `tracing disabled: its module ${moduleName} did not load: ${(error as Error).message}` });
    return fetch;
  }
}
